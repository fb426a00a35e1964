/**
 * @jest-environment jsdom
 *
 * 我的账单 rendered as a tab page: the error card and its 重试, no bills, no
 * flat yet, reading the bills again when the tab is shown again, and the
 * labels a screen reader gives its controls.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { RESIDENT, HOUSEHOLD, bill } = require('../helpers/fixtures')

const BILLS = loadPage('bills')
const ROUTE = 'GET /api/v1/bills?household_id=11'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(5)
}

async function open() {
  const page = renderPage(BILLS)
  // As WeChat does: onShow right after onLoad, without waiting for it.
  const loading = page.instance.onLoad()
  page.instance.onShow()
  await loading
  await sleep(0)
  return page
}

const count = (route) => requestsMade(wx).filter((r) => r === route).length
const billsBody = (items) => ({ status: 200, body: { items, unpaid_fen: 0 } })

test('a failed load says why, and 重试 loads the bills', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(ROUTE, DOWN, billsBody([bill()]))
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.pay')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.pay'))
  expect(texts(page, '.bill-amount')).toEqual(['¥25.33'])
  expect(count(ROUTE)).toBe(2)
})

test('no bills: says there is nothing to pay', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(ROUTE, billsBody([]))
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['暂无账单'])
  expect(textsWithin(page, '.nothing', '.empty-state-hint')).toEqual(['本户现在没有要缴的费用。'])
})

test('no flat yet: offers 绑定房屋', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 9, roles: [], households: [] } })
  const page = await open()
  expect(texts(page, '.no-household .text-body')).toEqual(['绑定房屋后，就能在这里查看和缴纳本户的费用。'])
  page.querySelector('.bind-button').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' })
})

test('shown again from the tab bar, it reads the bills again', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(ROUTE, billsBody([bill()]), billsBody([bill({ status: 'paid', paid_at: '2026-12-08T09:30:00+08:00' })]))
  const page = await open()
  expect(count(ROUTE)).toBe(1)
  await page.instance.onShow()
  await sleep(0)
  expect(count(ROUTE)).toBe(2)
  expect(texts(page, '.bill--paid .muted')).toContain('2026-12-08 已缴')
})

test('controls are named: the household picker, each tick box, 缴费记录', async () => {
  const second = Object.assign({}, HOUSEHOLD, { id: 12, label: '1-2-302' })
  server.on('GET /api/v1/me', { status: 200, body: Object.assign({}, RESIDENT, { households: [HOUSEHOLD, second] }) })
  server.on(ROUTE, billsBody([bill()]))
  const page = await open()
  expect(attr(page.querySelector('.household--picker'), 'aria-label')).toBe('换一户：现在看的是 阳光小区 1-2-301')
  expect(attr(page.querySelector('.bill-check'), 'aria-label')).toBe('缴 自治管理费 2026年12月 ¥25.33')
  expect(attr(page.querySelector('.payments-link'), 'aria-role')).toBe('link')
})
