/**
 * @jest-environment node
 *
 * 领取任命: a code typed or scanned ("linli-role:CODE") is taken up at once and
 * the answer says plainly what the person now is.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')

const REDEEM = 'POST /api/v1/role-invites/redeem'
const APPOINTED = {
  role: 'liaison',
  role_label: '单元联络人',
  scope_label: '1号楼2单元',
  title: '1号楼2单元联络人',
  compound: { code: 'yangguang', name: '阳光小区' },
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.scanCode = jest.fn()
})

async function openRedeem() {
  const page = createPage('redeem')
  await page.onLoad()
  return page
}

const scanned = (result) => wx.scanCode.mockImplementationOnce((options) => setTimeout(() => options.success({ result }), 0))
const settle = () => new Promise((resolve) => setTimeout(resolve, 10))
// Until `ready()` (at most 2 s): the scan's answer, then the server's, each come on a timer
// of their own, which a busy machine may run after a single settle's 10 ms.
const until = async (ready) => {
  for (let i = 0; i < 200 && !ready(); i += 1) await settle()
}

test('a typed code is taken up and the new role said in plain words', async () => {
  server.on(REDEEM, { status: 200, body: APPOINTED })
  const page = await openRedeem()
  expect(page.data.loaded).toBe(true)
  page.onInput({ detail: { value: ' abcd-2345 ' } })
  await page.redeem()
  expect(sentBody(wx, REDEEM)).toEqual({ code: 'abcd-2345' })
  expect(page.data.done).toEqual({ line: '您已成为 阳光小区 1号楼2单元联络人', role: 'liaison' })
  page.goHome()
  expect(wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' })
})

test('an empty box asks for the code and sends nothing', async () => {
  const page = await openRedeem()
  await page.redeem()
  expect(page.data.problem).toBe('请输入对方给您的邀请码，如 ABCD-2345')
  expect(requestsMade(wx)).toEqual([])
})

test('a scanned linli-role QR code is redeemed at once', async () => {
  server.on(REDEEM, { status: 200, body: APPOINTED })
  const page = await openRedeem()
  scanned('linli-role:WXYZ-6789')
  page.scan()
  expect(wx.scanCode.mock.calls[0][0]).toMatchObject({ onlyFromCamera: false, scanType: ['qrCode'] })
  await until(() => page.data.done)
  expect(sentBody(wx, REDEEM)).toEqual({ code: 'WXYZ-6789' })
  expect(page.data.done.line).toBe('您已成为 阳光小区 1号楼2单元联络人')
})

test('another QR code is refused with a plain word, nothing sent', async () => {
  const page = await openRedeem()
  scanned('https://example.com/pay')
  page.scan()
  await settle()
  expect(page.data.problem).toBe('这不是邻里的任命二维码，请扫对方手机上的二维码，或直接输入邀请码')
  expect(requestsMade(wx)).toEqual([])
})

test.each([
  [{ errMsg: 'scanCode:fail cancel' }, ''],
  [{ errMsg: 'scanCode:fail system permission denied' }, '微信没有相机权限，扫不了码。请在手机的「设置」里允许微信使用相机，或直接输入邀请码'],
  [{ errMsg: 'scanCode:fail' }, '没有扫到二维码，请再扫一次，或直接输入邀请码'],
])('a scan that fails (%o) says so in plain words, a cancel says nothing', async (res, problem) => {
  const page = await openRedeem()
  wx.scanCode.mockImplementationOnce((options) => setTimeout(() => options.fail(res), 0))
  page.scan()
  await settle()
  expect(page.data.problem).toBe(problem)
  expect(requestsMade(wx)).toEqual([])
})

test("a used, expired or own code: the server's words are shown", async () => {
  server.on(REDEEM, { status: 409, body: { code: 'invite_used', message: '这份任命邀请已被领取，如有疑问请联系业委会' } })
  const page = await openRedeem()
  page.onInput({ detail: { value: 'ABCD-2345' } })
  await page.redeem()
  expect(page.data.problem).toBe('这份任命邀请已被领取，如有疑问请联系业委会')
  expect(page.data.done).toBe(null)
  expect(page.data.busy).toBe(false)
})

test('a code scanned at 扫码登录电脑 arrives filled in, taken up only on 领取任命', async () => {
  server.on(REDEEM, { status: 200, body: APPOINTED })
  const page = createPage('redeem')
  await page.onLoad({ code: 'WXYZ-6789' })
  expect(page.data).toMatchObject({ loaded: true, code: 'WXYZ-6789', handed: true })
  expect(requestsMade(wx)).toEqual([])
  await page.redeem()
  expect(sentBody(wx, REDEEM)).toEqual({ code: 'WXYZ-6789' })
  expect(page.data.done.line).toBe('您已成为 阳光小区 1号楼2单元联络人')
})
