/**
 * @jest-environment jsdom
 *
 * 小区收款商户 (the street office): every compound with the WeChat Pay merchant
 * its fees go to and that merchant's API version; a new merchant is picked,
 * asked about (only new orders change), and sent; a refusal is said; nobody
 * but the street office gets the list.
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE } = require('../helpers/fixtures')
const { homeEntries } = require('../../../miniprogram/utils/census-entries')

const PAGE = loadPage('compound-admin')
const URL = '/api/v1/compounds'
const ADMIN = {
  id: 9,
  nickname: '街道办李科长',
  roles: [{ role: 'admin', scope: 'platform', scope_id: null, compound: null, compound_name: null, label: '平台' }],
  households: [],
}
const MERCHANTS = [
  { name: 'default', version: 'v2', mch_id: '1900000109', default: true },
  { name: 'sandbox-v3', version: 'v3', mch_id: '1900000300', default: false },
]
const compound = (code, name, merchant, extra) =>
  Object.assign(
    { code, name, archived: false, pay_merchant: merchant, pay_version: merchant === 'sandbox-v3' ? 'v3' : 'v2', pay_merchant_is_default: merchant === 'default' },
    extra
  )
const ITEMS = [
  compound('yangguang', '阳光小区', 'default'),
  compound('hongqi', '红旗小区', 'sandbox-v3', { pay_merchant_is_default: false }),
  compound('jiuchang', '旧厂小区', 'default', { archived: true }),
]

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function open(user = ADMIN) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(`GET ${URL}`, { status: 200, body: { items: ITEMS, pay_merchants: MERCHANTS } })
  const page = renderPage(PAGE)
  await page.instance.onShow()
  await sleep(0)
  return page
}

const pick = (code, index) => ({ currentTarget: { dataset: { code } }, detail: { value: String(index) } })

test('the street office finds the page on its home page, others do not', () => {
  expect(homeEntries(ADMIN).map((e) => e.url)).toContain('/pages/compound-admin/index')
  expect(homeEntries(COMMITTEE).map((e) => e.url)).not.toContain('/pages/compound-admin/index')
})

test('each compound shows its merchant with its merchant number and its API version in words', async () => {
  const page = await open()
  expect(texts(page, '.compound-name')).toEqual(['阳光小区', '红旗小区', '旧厂小区（已归档）'])
  expect(texts(page, '.merchant')).toEqual([
    '收款商户：默认商户 default（商户号 1900000109，旧版接口）',
    '收款商户：sandbox-v3（商户号 1900000300，新版接口）',
    '收款商户：默认商户 default（商户号 1900000109，旧版接口）',
  ])
  expect(texts(page, '.change')).toEqual(['更换收款商户', '更换收款商户']) // not the archived one
  expect(page.instance.data.choices.map((c) => c.label)).toEqual([
    '跟随默认商户：default（商户号 1900000109，旧版接口）',
    'default（商户号 1900000109，旧版接口）',
    'sandbox-v3（商户号 1900000300，新版接口）',
  ])
})

test('picking v3 is asked about, then sent, and the compound shows it', async () => {
  server.on(`PATCH ${URL}/yangguang`, {
    status: 200,
    body: compound('yangguang', '阳光小区', 'sandbox-v3', { pay_merchant_is_default: false }),
  })
  const page = await open()
  await page.instance.onPick(pick('yangguang', 2))
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '更换收款商户',
    content: '阳光小区此后的新缴费订单将付到「sandbox-v3（商户号 1900000300，新版接口）」。已经下的订单仍付到原来的商户。',
    confirmText: '更换',
  })
  expect(sentBody(wx, `PATCH ${URL}/yangguang`)).toEqual({ pay_merchant: 'sandbox-v3' })
  // What happens now stays on screen: new orders go to the new merchant, old ones do not.
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '已更换',
    content:
      '阳光小区此后的新缴费订单付到：sandbox-v3（商户号 1900000300，新版接口）。已经下的订单仍付到原来的商户。',
    showCancel: false,
  })
  await sleep(0)
  expect(texts(page, '.merchant')[0]).toBe('收款商户：sandbox-v3（商户号 1900000300，新版接口）')
})

test('following the default again sends null; 再想想 or the same choice sends nothing', async () => {
  server.on(`PATCH ${URL}/hongqi`, { status: 200, body: compound('hongqi', '红旗小区', 'default') })
  const page = await open()
  await page.instance.onPick(pick('hongqi', 2)) // what it has already
  expect(wx.showModal).not.toHaveBeenCalled()
  cancelModal(wx)
  await page.instance.onPick(pick('hongqi', 0))
  expect(requestsMade(wx)).not.toContain(`PATCH ${URL}/hongqi`)
  await page.instance.onPick(pick('hongqi', 0))
  expect(sentBody(wx, `PATCH ${URL}/hongqi`)).toEqual({ pay_merchant: null })
})

test("the server's refusal is said and the compound keeps its merchant", async () => {
  server.on(`PATCH ${URL}/yangguang`, {
    status: 400,
    body: { code: 'unknown_merchant', message: '没有名为“sandbox-v3”的微信支付商户，请先在服务器配置中添加' },
  })
  const page = await open()
  await page.instance.onPick(pick('yangguang', 2))
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '未能更换',
    content: '没有名为“sandbox-v3”的微信支付商户，请先在服务器配置中添加',
  })
  await sleep(0)
  expect(texts(page, '.merchant')[0]).toBe('收款商户：默认商户 default（商户号 1900000109，旧版接口）')
  expect(page.instance.data.saving).toBe('')
})

test('a committee member is told who may set it, and the list is not asked for', async () => {
  const page = await open(COMMITTEE)
  expect(texts(page, '.denied')).toEqual(['只有街道办（平台管理员）可以设置各小区的收款商户。'])
  expect(requestsMade(wx)).not.toContain(`GET ${URL}`)
})
