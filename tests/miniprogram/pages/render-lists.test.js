/**
 * @jest-environment jsdom
 *
 * The resident list pages rendered (我的报事, 消息, 缴费记录): what shows with
 * data, the error card whose 重试 loads again, the empty state with its plain
 * explanation, the labels a screen reader reads, and the tab bar rule.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { issueItem, payment } = require('../helpers/fixtures')

const ISSUES = loadPage('issues')
const INBOX = loadPage('inbox')
const PAYMENTS = loadPage('payments')

const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(5)
}

async function open(id) {
  const page = renderPage(id)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

const count = (route) => requestsMade(wx).filter((r) => r === route).length

// A failed first load shows the reason and 重试; the tap loads again.
async function expectRetry(id, route, shown) {
  const page = await open(id)
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.loading')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector(shown))
  expect(page.querySelector('.error')).toBeUndefined()
  expect(count(route)).toBe(2)
  return page
}

describe('我的报事', () => {
  const ROUTE = 'GET /api/v1/issues?mine=true'
  const list = (items, next = null) => ({ status: 200, body: { items, next_cursor: next } })

  test('each issue is a card a screen reader names with its status; the root font follows WeChat', async () => {
    server.on(ROUTE, list([issueItem({ status: 'accepted', status_label: '处理中' })]))
    const page = await open(ISSUES)
    const row = page.querySelector('.issue-row')
    expect(attr(row, 'aria-role')).toBe('button')
    expect(attr(row, 'aria-label')).toBe('楼道灯不亮，处理中，点开看进展')
    expect(page.instance.data.rootFontSize).toBe('16px')
    row.dispatchEvent('tap')
    await sleep(0)
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
  })

  test('a failed load says why, and 重试 loads it again', async () => {
    server.on(ROUTE, DOWN, list([issueItem()]))
    await expectRetry(ISSUES, ROUTE, '.issue-row')
  })

  test('nothing yet: says what 报事 is, and 我要报事 goes to the 报事 tab', async () => {
    server.on(ROUTE, list([]))
    const page = await open(ISSUES)
    expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['您还没有报过事'])
    expect(textsWithin(page, '.nothing', '.empty-state-hint')[0]).toMatch(/^报事，就是向小区反映问题/)
    within(page, '.nothing', '.empty-state-action').dispatchEvent('tap')
    await sleep(0)
    expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/report/index' })
    expect(wx.navigateTo).not.toHaveBeenCalled()
  })

  test('a failed next page keeps the list and offers 重试 for it', async () => {
    server.on(ROUTE, list([issueItem({ id: 9 })], 'OQ'))
    server.on('GET /api/v1/issues?mine=true&cursor=OQ', DOWN, list([issueItem({ id: 8 })]))
    const page = await open(ISSUES)
    await page.instance.onReachBottom()
    await sleep(0)
    expect(texts(page, '.more-error .error-text')).toEqual(['服务暂时不可用'])
    page.querySelector('.more-retry').dispatchEvent('tap')
    await waitFor(() => page.querySelectorAll('.issue-row').length === 2)
    expect(page.querySelector('.more-error')).toBeUndefined()
    expect(texts(page, '.end')).toEqual(['没有更多了'])
  })
})

describe('消息', () => {
  const ROUTE = 'GET /api/v1/me/notifications'
  const note = (id, read, page = 'pages/issue/index?id=3') => ({
    id,
    kind: 'receipt',
    title: '缴费已确认',
    body: '1-2-301 自治管理费 ¥25.33 已确认收到',
    page,
    created_at: '2026-12-05T10:00:00+08:00',
    read,
  })
  const inbox = (items, unread) => ({ status: 200, body: { items, unread, next_before: null } })

  test('an unread message is named as unread; one for the bills opens the 缴费 tab', async () => {
    server.on(ROUTE, inbox([note(2, false, 'pages/bills/index')], 1))
    server.on('POST /api/v1/me/notifications/read', { status: 200, body: { marked: 1 } })
    const page = await open(INBOX)
    const message = page.querySelector('.message')
    expect(attr(message, 'aria-role')).toBe('button')
    expect(attr(message, 'aria-label')).toMatch(/^未读，缴费已确认，/)
    message.dispatchEvent('tap')
    await waitFor(() => wx.switchTab.mock.calls.length)
    expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/bills/index' })
    expect(wx.navigateTo).not.toHaveBeenCalled()
  })

  test('a failed load says why, and 重试 loads it again', async () => {
    server.on(ROUTE, DOWN, inbox([note(1, true)], 0))
    await expectRetry(INBOX, ROUTE, '.message')
  })

  test('no messages: says what will come here', async () => {
    server.on(ROUTE, inbox([], 0))
    const page = await open(INBOX)
    expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['还没有消息'])
    expect(textsWithin(page, '.nothing', '.empty-state-hint')).toEqual([
      '您反映的问题有进展、缴费有结果时，会在这里告诉您。',
    ])
    expect(page.querySelector('.toolbar')).toBeUndefined()
  })
})

describe('缴费记录', () => {
  const ROUTE = 'GET /api/v1/payments'

  test('shows each payment with its amount and status', async () => {
    server.on(ROUTE, { status: 200, body: { items: [payment({ status: 'paid', paid_at: '2026-12-05T10:00:09+08:00' })] } })
    const page = await open(PAYMENTS)
    expect(texts(page, '.amount')).toEqual(['¥50.66'])
    expect(texts(page, '.payment .muted')).toContain('支付 2026-12-05 10:00')
  })

  test('a failed load says why, and 重试 loads it again', async () => {
    server.on(ROUTE, DOWN, { status: 200, body: { items: [payment()] } })
    await expectRetry(PAYMENTS, ROUTE, '.payment')
  })

  test('none yet: says where they come from', async () => {
    server.on(ROUTE, { status: 200, body: { items: [] } })
    const page = await open(PAYMENTS)
    expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['还没有缴费记录'])
  })

  test('pull-to-refresh loads again and stops the spinner', async () => {
    server.on(ROUTE, { status: 200, body: { items: [payment()] } })
    const page = await open(PAYMENTS)
    await page.instance.onPullDownRefresh()
    expect(count(ROUTE)).toBe(2)
    expect(wx.stopPullDownRefresh).toHaveBeenCalled()
  })
})
