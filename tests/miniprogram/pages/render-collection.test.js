/**
 * @jest-environment jsdom
 *
 * 收缴情况's WXML: the open payment anomalies and the daily reconciliation, with
 * 处理 for the committee only, rendered with the page's own handlers.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE, SUPERVISOR, anomaly } = require('../helpers/fixtures')

const COLLECTION = loadPage('collection')

const ANOMALIES = 'GET /api/v1/compounds/yangguang/payment-anomalies?open=true'
const REPORTS = 'GET /api/v1/compounds/yangguang/payment-reports'
const RESOLVE = 'POST /api/v1/compounds/yangguang/payment-anomalies/7/resolve'

const DOUBLE = anomaly({ id: 7, kind: 'double_payment', details: { bills: [1], refund_due_fen: 2533 } })
const DUPLICATE = anomaly({ id: 9, kind: 'duplicate_transaction', details: { out_trade_no: 'LL3' } })
const REPORT = {
  day: '2026-11-29',
  summary: { orders: 3, paid: 2, closed: 0, pending: 0, disputed: 1, differences: 1, open_anomalies: 2 },
  differences: ['订单 LL2：金额不同：本系统 50.66 元，微信支付 50.00 元'],
  started_at: '2026-11-30T02:00:05+08:00',
}
const tally = { households_billed: 2, households_paid: 1, collection_rate: 0.5, billed_fen: 5066, collected_fen: 2533 }

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-05T02:00:00Z'))
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/fees/summary?compound=yangguang&period=2026-12', {
    status: 200,
    body: Object.assign({}, tally, { period: '2026-12', by_building: [], by_unit: [] }),
  })
})

afterEach(() => jest.restoreAllMocks())

// Wait (up to ~1 s) for what a tap started to show.
async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(10)
}

async function open(user, anomalies, reports) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(ANOMALIES, ...anomalies)
  server.on(REPORTS, reports)
  const page = renderPage(COLLECTION)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

const list = (...items) => ({ status: 200, body: { items } })

test('the committee sees each anomaly with 处理; the form sends the note and the refund in fen', async () => {
  server.on(RESOLVE, { status: 200, body: DOUBLE })
  const page = await open(COMMITTEE, [list(DOUBLE, DUPLICATE), list(DUPLICATE)], list(REPORT))
  expect(texts(page, '.checks .card-title')).toEqual(['待处理的缴费异常'])
  expect(texts(page, '.anomaly-text')).toEqual(['重复缴费：账单已由其他方式缴清，应退 25.33 元', '同一微信交易号重复'])
  expect(texts(page, '.report-line')).toEqual(['11月29日对账：3 笔订单，1 处差异'])
  expect(texts(page, '.difference')).toEqual(['· 订单 LL2：金额不同：本系统 50.66 元，微信支付 50.00 元'])
  expect(texts(page, '.resolve')).toEqual(['处理', '处理'])
  expect(texts(page, '.rate-value')).toEqual(['50.0%'])

  page.querySelectorAll('.resolve')[0].dispatchEvent('tap')
  await waitFor(() => page.querySelectorAll('.resolve-form').length)
  // simulate does not render an <input>'s value: read what it is bound to.
  expect(page.querySelectorAll('.resolve-refund')).toHaveLength(1)
  expect(page.instance.data.resolveRefund).toBe('25.33')
  expect(texts(page, '.resolve')).toEqual(['处理']) // the other anomaly's
  expect(texts(page, '.resolve-form .label')).toEqual(['处理说明', '本次退款金额（元），尚需退还 25.33 元'])

  page.instance.onResolveNote({ detail: { value: '已通过微信转账退还' } })
  page.querySelector('.submit-resolve').dispatchEvent('tap')
  await waitFor(() => texts(page, '.anomaly-text').length === 1)
  expect(sentBody(wx, RESOLVE)).toEqual({ resolution: '已通过微信转账退还', refunded_fen: 2533 })
  expect(texts(page, '.anomaly-text')).toEqual(['同一微信交易号重复'])
  expect(page.querySelectorAll('.resolve-form')).toHaveLength(0)
})

test('an empty note is asked for under the field, nothing sent', async () => {
  const page = await open(COMMITTEE, [list(DOUBLE)], list())
  page.querySelector('.resolve').dispatchEvent('tap')
  await waitFor(() => page.querySelectorAll('.resolve-form').length)
  page.querySelector('.submit-resolve').dispatchEvent('tap')
  await waitFor(() => texts(page, '.resolve-form .error-text').length)
  expect(texts(page, '.resolve-form .error-text')).toEqual(['请填写处理说明'])
  expect(requestsMade(wx)).not.toContain(RESOLVE)
})

test('the supervisor sees the list and the report but no 处理 button', async () => {
  const page = await open(SUPERVISOR, [list(DOUBLE, DUPLICATE)], list(REPORT))
  expect(texts(page, '.anomaly-text')).toHaveLength(2)
  expect(texts(page, '.report-line')).toEqual(['11月29日对账：3 笔订单，1 处差异'])
  expect(page.querySelectorAll('.resolve')).toHaveLength(0)
})

test('nothing open: the section says so; a report without differences lists none', async () => {
  const quiet = Object.assign({}, REPORT, {
    summary: Object.assign({}, REPORT.summary, { differences: 0 }),
    differences: [],
  })
  const page = await open(COMMITTEE, [list()], list(quiet))
  expect(texts(page, '.no-anomalies')).toEqual(['暂无待处理的缴费异常'])
  expect(texts(page, '.report-line')).toEqual(['11月29日对账：3 笔订单，无差异'])
  expect(page.querySelectorAll('.difference')).toHaveLength(0)
})

test('403 on both endpoints: no section at all, the figures as before, no toast', async () => {
  const refused = { status: 403, body: { code: 'committee_only', message: '只有业委会和财务监督可以查看' } }
  const page = await open(COMMITTEE, [refused], refused)
  expect(page.querySelectorAll('.checks')).toHaveLength(0)
  expect(page.querySelectorAll('.error-text')).toHaveLength(0)
  expect(texts(page, '.rate-value')).toEqual(['50.0%'])
  expect(wx.showToast).not.toHaveBeenCalled()
})
