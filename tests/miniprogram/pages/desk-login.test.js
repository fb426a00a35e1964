/**
 * @jest-environment node
 *
 * 登录电脑端: the code read off a computer's screen is shown for what it is
 * and signed in only on 确认登录, for the compound picked; an expired, used,
 * foreign or refused code says so in plain words, with 重新扫码 where that helps.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')

const SCAN = 'POST /api/v1/console/scan'
const CONFIRM = 'POST /api/v1/console/confirm'
const TICKET = 'Zx8_kq2-Lm4nPq7rSt9uVw1y'
const CODE = `linli-console:${TICKET}`

const YANGGUANG = { id: 1, name: '阳光小区', role: 'committee' }
const HONGQI = { id: 2, name: '红旗小区', role: 'supervisor' }
const scanned = (compounds = [YANGGUANG]) => ({
  status: 200,
  body: { browser: 'Chrome · Windows', expires_at: '2026-12-06T10:05:00+08:00', compounds },
})
const refused = (status, code, message) => ({ status, body: { code, message } })
const EXPIRED = refused(409, 'console_ticket_expired', '二维码已过期，请在电脑上刷新后再扫')
const USED = refused(409, 'console_ticket_used', '这个二维码已经用过了，请在电脑上刷新后再扫')
const NOT_ALLOWED = refused(403, 'console_not_allowed', '只有业委会成员、财务监督和管理员可以登录电脑端')
const NOT_FOUND = refused(404, 'console_ticket_not_found', '这不是邻里电脑端的登录二维码')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.scanCode = jest.fn()
})

async function open(options = { ticket: TICKET }) {
  const page = createPage('desk-login')
  await page.onLoad(options)
  return page
}

const scanReads = (result) =>
  wx.scanCode.mockImplementationOnce((options) => setTimeout(() => options.success({ result }), 0))

test('the code is read first: the computer, the compound and my role there, nothing signed in yet', async () => {
  server.on(SCAN, scanned())
  const page = await open()
  expect(sentBody(wx, SCAN)).toEqual({ ticket: CODE })
  expect(page.data).toMatchObject({
    loaded: true,
    problem: null,
    browser: 'Chrome · Windows',
    compounds: [{ id: 1, name: '阳光小区', roleText: '业委会委员' }],
    compoundIndex: 0,
  })
  expect(requestsMade(wx)).toEqual([SCAN])
})

test('确认登录 sends the same code and the compound; then 已登录 and back', async () => {
  server.on(SCAN, scanned())
  server.on(CONFIRM, { status: 200, body: { browser: 'Chrome · Windows', compound: YANGGUANG } })
  const page = await open()
  await page.signIn()
  expect(requestsMade(wx)).toEqual([SCAN, CONFIRM])
  expect(sentBody(wx, CONFIRM)).toEqual({ ticket: CODE, compound: 1 })
  expect(page.data.done).toEqual({ line: '阳光小区 · Chrome · Windows' })
  page.goBack()
  expect(wx.navigateBack).toHaveBeenCalled()
})

test('with several compounds, the one picked is the one signed in', async () => {
  server.on(SCAN, scanned([YANGGUANG, HONGQI]))
  server.on(CONFIRM, { status: 200, body: { browser: 'Chrome · Windows', compound: HONGQI } })
  const page = await open()
  page.onCompoundChange({ detail: { value: '1' } })
  await page.signIn()
  expect(sentBody(wx, CONFIRM)).toEqual({ ticket: CODE, compound: 2 })
  expect(page.data.done.line).toBe('红旗小区 · Chrome · Windows')
})

test('取消 goes back and signs nothing in', async () => {
  server.on(SCAN, scanned())
  const page = await open()
  page.goBack()
  expect(wx.navigateBack).toHaveBeenCalled()
  expect(requestsMade(wx)).toEqual([SCAN])
})

test.each([
  ['expired', EXPIRED, '二维码已过期', '请在电脑上刷新二维码后再扫。', true],
  ['used', USED, '这个二维码已经用过了', '请在电脑上刷新二维码后再扫。', true],
  ['not ours', NOT_FOUND, '这不是邻里电脑端的登录二维码', '请在电脑上打开邻里电脑端的登录页，扫它屏幕上的二维码。', true],
  ['not allowed', NOT_ALLOWED, '只有业委会成员、财务监督和管理员可以登录电脑端', '电脑端只给业委会委员、财务监督和平台管理员用。', false],
])('a code that is %s: plain words, 重新扫码 only where it helps', async (_, answer, title, hint, again) => {
  server.on(SCAN, answer)
  const page = await open()
  expect(page.data.error).toBe('')
  expect(page.data.problem).toEqual({ title, hint, again })
  expect(requestsMade(wx)).toEqual([SCAN])
})

test('a code that expires while the question is open is said so at 确认登录', async () => {
  server.on(SCAN, scanned())
  server.on(CONFIRM, EXPIRED)
  const page = await open()
  await page.signIn()
  expect(page.data.problem).toMatchObject({ title: '二维码已过期', hint: '请在电脑上刷新二维码后再扫。', again: true })
  expect(page.data.busy).toBe(false)
  expect(page.data.done).toBe(null)
})

test('no network at 确认登录: the question stays, with why, to try again', async () => {
  server.on(SCAN, scanned())
  server.on(CONFIRM, { fail: 'timeout' }, { status: 200, body: { browser: 'Chrome · Windows', compound: YANGGUANG } })
  const page = await open()
  await page.signIn()
  expect(page.data).toMatchObject({ problem: null, done: null, busy: false, confirmError: '网络不给力，请稍后再试' })
  await page.signIn()
  expect(page.data.done).toEqual({ line: '阳光小区 · Chrome · Windows' })
})

test('no network reading the code: the error card, whose 重试 reads it again', async () => {
  server.on(SCAN, { fail: 'timeout' }, scanned())
  const page = await open()
  expect(page.data.error).toBe('网络不给力，请稍后再试')
  await page.retry()
  expect(page.data).toMatchObject({ error: '', problem: null, browser: 'Chrome · Windows' })
})

test('opened without a code, it asks for a scan and sends nothing', async () => {
  const page = await open({})
  expect(page.data.problem).toMatchObject({ title: '请扫电脑屏幕上的二维码', again: true })
  expect(requestsMade(wx)).toEqual([])
})

test('重新扫码 from the camera reads the fresh code', async () => {
  const fresh = 'Ab3_cd4-Ef5gHi6jKl7mNo8p'
  server.on(SCAN, EXPIRED, scanned())
  const page = await open()
  scanReads(`linli-console:${fresh}`)
  await page.rescan()
  expect(wx.scanCode.mock.calls[0][0]).toMatchObject({ onlyFromCamera: true, scanType: ['qrCode'] })
  expect(sentBody(wx, SCAN)).toEqual({ ticket: `linli-console:${fresh}` })
  expect(page.data).toMatchObject({ problem: null, browser: 'Chrome · Windows' })
})

test('重新扫码 of another QR code says it is not ours and sends nothing', async () => {
  server.on(SCAN, USED)
  const page = await open()
  scanReads('https://example.com/pay')
  await page.rescan()
  expect(page.data.problem).toMatchObject({ title: '这不是邻里电脑端的登录二维码', again: true })
  expect(requestsMade(wx)).toEqual([SCAN])
})

test('重新扫码 of a role invite goes to 领取任命 with its code', async () => {
  server.on(SCAN, USED)
  const page = await open()
  scanReads('linli-role:WXYZ-6789')
  await page.rescan()
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/redeem/index?code=WXYZ-6789' })
})

test('重新扫码 backed out of leaves the page as it was', async () => {
  server.on(SCAN, USED)
  const page = await open()
  const before = page.data.problem
  wx.scanCode.mockImplementationOnce((options) => setTimeout(() => options.fail({ errMsg: 'scanCode:fail cancel' }), 0))
  await page.rescan()
  expect(page.data.problem).toBe(before)
  expect(page.data.scanning).toBe(false)
})
