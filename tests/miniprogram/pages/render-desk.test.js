/**
 * @jest-environment jsdom
 *
 * 电脑端 on the phone, rendered: the home page's 扫码登录电脑 and 已登录的电脑
 * (the committee, the supervisor and the admin only), what a scan leads to,
 * the question 登录电脑端 asks, and 已登录的电脑 with its Shanghai times,
 * 退出 and 退出所有电脑 (asked first).
 */
const { installWx, requestsMade, cancelModal, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, textsWithin, attr, sleep } = require('../helpers/render')
const { COMMITTEE, SUPERVISOR, RESIDENT, LIAISON } = require('../helpers/fixtures')

const HOME = loadPage('index')
const LOGIN = loadPage('desk-login')
const SESSIONS = loadPage('desk-sessions')

const ADMIN = {
  id: 9,
  nickname: '平台',
  roles: [{ role: 'admin', scope: 'platform', scope_id: null, compound: null, compound_name: null, label: '平台' }],
  households: [],
}
const TICKET = 'Zx8_kq2-Lm4nPq7rSt9uVw1y'
const SESSION_LIST = 'GET /api/v1/console/sessions'

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.scanCode = jest.fn()
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
})

async function until(ready) {
  for (let i = 0; i < 200 && !ready(); i += 1) await sleep(5)
}

const scanReads = (result) =>
  wx.scanCode.mockImplementationOnce((options) => setTimeout(() => options.success({ result }), 0))

async function home(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(HOME)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

describe('the home page', () => {
  test.each([
    ['the committee', COMMITTEE],
    ['the supervisor', SUPERVISOR],
    ['the admin', ADMIN],
  ])('%s gets 扫码登录电脑 and 已登录的电脑', async (_, user) => {
    const page = await home(user)
    expect(texts(page, '.desk .card-title')).toEqual(['电脑端'])
    const entries = page.querySelectorAll('.desk-entry')
    expect(entries.map((e) => attr(e, 'aria-role'))).toEqual(['button', 'button'])
    expect(entries.map((e) => attr(e, 'aria-label').split('：')[0])).toEqual(['扫码登录电脑', '已登录的电脑'])
    page.querySelector('.desk-sessions').dispatchEvent('tap')
    await sleep(0)
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/desk-sessions/index' })
  })

  test.each([
    ['a resident', RESIDENT],
    ['a liaison', LIAISON],
  ])('%s does not', async (_, user) => {
    const page = await home(user)
    expect(page.instance.data.loaded).toBe(true)
    expect(page.querySelector('.desk')).toBeUndefined()
    expect(page.querySelector('.desk-entry')).toBeUndefined()
  })

  test("扫码登录电脑 scans from the camera and opens 登录电脑端 with the computer's code", async () => {
    const page = await home(COMMITTEE)
    scanReads(`linli-console:${TICKET}`)
    page.querySelector('.desk-scan').dispatchEvent('tap')
    await until(() => wx.navigateTo.mock.calls.length)
    expect(wx.scanCode.mock.calls[0][0]).toMatchObject({ onlyFromCamera: true, scanType: ['qrCode'] })
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/pages/desk-login/index?ticket=${TICKET}` })
    expect(requestsMade(wx)).not.toContain('POST /api/v1/console/scan')
  })

  test('another QR code is said not to be ours, with 再扫一次; 不扫了 ends it', async () => {
    const page = await home(COMMITTEE)
    scanReads('https://example.com/pay')
    cancelModal(wx)
    page.querySelector('.desk-scan').dispatchEvent('tap')
    await until(() => wx.showModal.mock.calls.length)
    await sleep(5)
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({
      title: '这不是邻里电脑端的登录二维码',
      confirmText: '再扫一次',
      cancelText: '不扫了',
    })
    expect(wx.scanCode).toHaveBeenCalledTimes(1)
    expect(wx.navigateTo).not.toHaveBeenCalled()
  })

  test('再扫一次 scans again', async () => {
    const page = await home(SUPERVISOR)
    scanReads('hello')
    scanReads(`linli-console:${TICKET}`)
    page.querySelector('.desk-scan').dispatchEvent('tap')
    await until(() => wx.navigateTo.mock.calls.length)
    expect(wx.scanCode).toHaveBeenCalledTimes(2)
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/pages/desk-login/index?ticket=${TICKET}` })
  })

  test('a role invite scanned here goes to 领取任命, filled in', async () => {
    const page = await home(COMMITTEE)
    scanReads('linli-role:WXYZ-6789')
    page.querySelector('.desk-scan').dispatchEvent('tap')
    await until(() => wx.navigateTo.mock.calls.length)
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/redeem/index?code=WXYZ-6789' })
  })

  test('backing out of the camera says nothing', async () => {
    const page = await home(COMMITTEE)
    wx.scanCode.mockImplementationOnce((options) => setTimeout(() => options.fail({ errMsg: 'scanCode:fail cancel' }), 0))
    page.querySelector('.desk-scan').dispatchEvent('tap')
    await sleep(20)
    expect(wx.showModal).not.toHaveBeenCalled()
    expect(wx.navigateTo).not.toHaveBeenCalled()
  })
})

describe('登录电脑端', () => {
  async function login(compounds) {
    server.on('POST /api/v1/console/scan', {
      status: 200,
      body: { browser: 'Chrome · Windows', expires_at: '2026-12-06T10:05:00+08:00', compounds },
    })
    const page = renderPage(LOGIN)
    await page.instance.onLoad({ ticket: TICKET })
    await sleep(0)
    return page
  }

  test('one compound: the question, the computer, no picker, 确认登录 and 取消', async () => {
    const page = await login([{ id: 1, name: '阳光小区', role: 'committee' }])
    expect(texts(page, '.ask-title')).toEqual(['在电脑上登录 阳光小区？'])
    expect(texts(page, '.computer')).toEqual(['电脑：Chrome · Windows'])
    expect(texts(page, '.role')).toEqual(['身份：业委会委员'])
    expect(page.querySelector('.compound-picker')).toBeUndefined()
    expect(texts(page, '.confirm')).toEqual(['确认登录'])
    expect(texts(page, '.cancel')).toEqual(['取消'])
  })

  test('several compounds: a picker to choose the one', async () => {
    const page = await login([
      { id: 1, name: '阳光小区', role: 'committee' },
      { id: 2, name: '红旗小区', role: 'supervisor' },
    ])
    expect(texts(page, '.compound-picker')).toEqual(['换一个小区：阳光小区 ▾'])
    page.instance.onCompoundChange({ detail: { value: '1' } })
    await sleep(0)
    expect(texts(page, '.ask-title')).toEqual(['在电脑上登录 红旗小区？'])
    expect(texts(page, '.role')).toEqual(['身份：财务监督'])
  })

  test('signed in: 已登录，请看电脑屏幕, and 返回', async () => {
    server.on('POST /api/v1/console/confirm', {
      status: 200,
      body: { browser: 'Chrome · Windows', compound: { id: 1, name: '阳光小区', role: 'committee' } },
    })
    const page = await login([{ id: 1, name: '阳光小区', role: 'committee' }])
    page.querySelector('.confirm').dispatchEvent('tap')
    await until(() => page.instance.data.done)
    await sleep(0)
    expect(texts(page, '.done-title')).toEqual(['已登录，请看电脑屏幕'])
    expect(texts(page, '.done-line')).toEqual(['阳光小区 · Chrome · Windows'])
    page.querySelector('.back').dispatchEvent('tap')
    await sleep(0)
    expect(wx.navigateBack).toHaveBeenCalled()
  })

  test('an expired code: what to do, and 重新扫码', async () => {
    server.on('POST /api/v1/console/scan', {
      status: 409,
      body: { code: 'console_ticket_expired', message: '二维码已过期，请在电脑上刷新后再扫' },
    })
    const page = renderPage(LOGIN)
    await page.instance.onLoad({ ticket: TICKET })
    await sleep(0)
    expect(texts(page, '.problem-title')).toEqual(['二维码已过期'])
    expect(texts(page, '.problem-hint')).toEqual(['请在电脑上刷新二维码后再扫。'])
    expect(texts(page, '.rescan')).toEqual(['重新扫码'])
    expect(texts(page, '.back')).toEqual(['返回'])
  })

  test('someone who may not: the refusal, no 重新扫码', async () => {
    server.on('POST /api/v1/console/scan', {
      status: 403,
      body: { code: 'console_not_allowed', message: '只有业委会成员、财务监督和管理员可以登录电脑端' },
    })
    const page = renderPage(LOGIN)
    await page.instance.onLoad({ ticket: TICKET })
    await sleep(0)
    expect(texts(page, '.problem-title')).toEqual(['只有业委会成员、财务监督和管理员可以登录电脑端'])
    expect(page.querySelector('.rescan')).toBeUndefined()
    expect(texts(page, '.back')).toEqual(['返回'])
  })
})

describe('已登录的电脑', () => {
  // This year in Shanghai: its times are shown without the year.
  const YEAR = new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear()
  const ITEMS = [
    {
      id: 4,
      browser: 'Chrome · Windows',
      compound: { id: 1, name: '阳光小区' },
      // 09:15 and 09:58 in Shanghai, one sent in UTC.
      signed_in_at: `${YEAR}-06-01T01:15:00Z`,
      last_seen_at: `${YEAR}-06-01T09:58:00+08:00`,
    },
    {
      id: 5,
      browser: 'Edge · Windows',
      compound: { id: 1, name: '阳光小区' },
      signed_in_at: '2025-12-31T23:30:00+08:00',
      last_seen_at: '2025-12-31T23:45:00+08:00',
    },
  ]

  async function sessions() {
    const page = renderPage(SESSIONS)
    page.instance.onLoad()
    await page.instance.onShow()
    await sleep(0)
    return page
  }

  test('each computer with its compound and Shanghai times, 退出 each and 退出所有电脑', async () => {
    server.on(SESSION_LIST, { status: 200, body: { items: ITEMS } })
    const page = await sessions()
    expect(texts(page, '.computer-name')).toEqual(['Chrome · Windows', 'Edge · Windows'])
    expect(texts(page, '.signed-in')).toEqual(['登录时间：6月1日 09:15', '登录时间：2025年12月31日 23:30'])
    expect(texts(page, '.last-seen')).toEqual(['最近使用：6月1日 09:58', '最近使用：2025年12月31日 23:45'])
    expect(texts(page, '.sign-out')).toEqual(['退出', '退出'])
    expect(attr(page.querySelector('.sign-out'), 'aria-label')).toBe('退出这台电脑：Chrome · Windows，阳光小区')
    expect(texts(page, '.sign-out-all')).toEqual(['退出所有电脑'])
  })

  test('退出 signs that computer out and reads the list again', async () => {
    server.on(SESSION_LIST, { status: 200, body: { items: ITEMS } }, { status: 200, body: { items: ITEMS.slice(1) } })
    server.on('DELETE /api/v1/console/sessions/4', { status: 200, body: { signed_out: 1 } })
    const page = await sessions()
    page.querySelector('.sign-out').dispatchEvent('tap')
    await until(() => page.instance.data.items.length === 1)
    await sleep(0)
    expect(requestsMade(wx)).toEqual([SESSION_LIST, 'DELETE /api/v1/console/sessions/4', SESSION_LIST])
    expect(texts(page, '.computer-name')).toEqual(['Edge · Windows'])
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已退出', icon: 'success' })
  })

  test('退出所有电脑 asks first; 不退出 sends nothing', async () => {
    server.on(SESSION_LIST, { status: 200, body: { items: ITEMS } })
    const page = await sessions()
    cancelModal(wx)
    page.querySelector('.sign-out-all').dispatchEvent('tap')
    await until(() => wx.showModal.mock.calls.length)
    await sleep(10)
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '退出所有电脑？', confirmText: '全部退出', cancelText: '不退出' })
    expect(requestsMade(wx)).toEqual([SESSION_LIST])
  })

  test('退出所有电脑, confirmed, signs every computer out and shows none left', async () => {
    server.on(SESSION_LIST, { status: 200, body: { items: ITEMS } }, { status: 200, body: { items: [] } })
    server.on('DELETE /api/v1/console/sessions', { status: 200, body: { signed_out: 2 } })
    const page = await sessions()
    page.querySelector('.sign-out-all').dispatchEvent('tap')
    await until(() => page.instance.data.empty)
    await sleep(0)
    expect(wx.showModal).toHaveBeenCalledTimes(1)
    expect(requestsMade(wx)).toEqual([SESSION_LIST, 'DELETE /api/v1/console/sessions', SESSION_LIST])
    const asked = wx.showModal.mock.invocationCallOrder[0]
    const deleted = wx.request.mock.invocationCallOrder[1]
    expect(asked).toBeLessThan(deleted)
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已退出 2 台电脑', icon: 'none' })
    expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['现在没有登录着的电脑'])
    expect(page.querySelector('.sign-out-all')).toBeUndefined()
  })

  test('none signed in: says so plainly', async () => {
    server.on(SESSION_LIST, { status: 200, body: { items: [] } })
    const page = await sessions()
    expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['现在没有登录着的电脑'])
    expect(page.querySelector('.computer')).toBeUndefined()
    expect(page.querySelector('.sign-out-all')).toBeUndefined()
  })
})

test('both pages are registered, titled in Chinese', () => {
  const app = require('../../../miniprogram/app.json')
  expect(app.pages).toEqual(expect.arrayContaining(['pages/desk-login/index', 'pages/desk-sessions/index']))
  expect(require('../../../miniprogram/pages/desk-login/index.json').navigationBarTitleText).toBe('登录电脑端')
  expect(require('../../../miniprogram/pages/desk-sessions/index.json').navigationBarTitleText).toBe('已登录的电脑')
})
