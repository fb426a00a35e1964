/**
 * @jest-environment node
 *
 * 收缴情况, the refund parts: an anomaly with money owed back on a WeChat
 * payment offers 微信退款 (the committee's only), 退款记录 is one tap away, and
 * the latest daily report shows WeChat Pay's own statement of the day.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, anomaly } = require('../helpers/fixtures')

const NOW = Date.parse('2026-12-05T02:00:00Z')

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const SUMMARY = 'GET /api/v1/fees/summary?compound=yangguang&period=2026-12'
const ANOMALIES = 'GET /api/v1/compounds/yangguang/payment-anomalies?open=true'
const REPORTS = 'GET /api/v1/compounds/yangguang/payment-reports'
const REFUNDS = 'GET /api/v1/compounds/yangguang/refunds'

const FIGURES = {
  period: '2026-12',
  households_billed: 1,
  households_paid: 1,
  collection_rate: 1,
  billed_fen: 2533,
  collected_fen: 2533,
  by_building: [],
  by_unit: [],
}
const DOUBLE = anomaly({ id: 7, payment_id: 55, kind: 'double_payment', details: { bills: [1], refund_due_fen: 2533 } })
const MISMATCH = anomaly({ id: 9, kind: 'amount_mismatch', details: { out_trade_no: 'LL3', expected: 5066, notified: 1 } })
const VOIDED = anomaly({
  id: 10,
  payment_id: null,
  kind: 'reading_voided',
  details: { out_trade_no: undefined, household: '1-2-301', refund_due_fen: 150 },
})
const REPORT = {
  day: '2026-11-29',
  summary: { orders: 3, differences: 0 },
  differences: [],
  started_at: '2026-11-30T02:00:05+08:00',
}
const STATEMENT = {
  status: 'compared',
  lines: 3,
  paid_fen: 15198,
  refund_fen: 0,
  fee_fen: 91,
  net_fen: 15107,
  differences: ['订单 LL9：对账单有、本系统无，50.66 元'],
}
const listOf = (...items) => ({ status: 200, body: { items } })

async function open(user, anomalies, reports = listOf(REPORT), refunds = listOf()) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(REFUNDS, refunds)
  server.on(SUMMARY, { status: 200, body: FIGURES })
  server.on(ANOMALIES, anomalies)
  server.on(REPORTS, reports)
  const page = createPage('collection')
  await page.onLoad()
  return page
}

test('微信退款 opens the refund form for the anomaly, with what is still owed back', async () => {
  const page = await open(COMMITTEE, listOf(DOUBLE, MISMATCH, VOIDED))
  const [double, mismatch, voided] = page.data.anomalies
  expect([double.paymentId, double.refundDueFen]).toEqual([55, 2533])
  // Nothing owed back, or no WeChat payment to send it back through: no 微信退款.
  expect(mismatch.refundDueFen).toBe(0)
  expect(voided.paymentId).toBe(0)
  page.openWechatRefund(tap({ id: 7 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({
    url: '/pages/refunds/index?compound=yangguang&payment=55&anomaly=7&due=2533',
  })
  page.openWechatRefund(tap({ id: 10 }))
  page.openWechatRefund(tap({ id: 9 }))
  expect(wx.navigateTo).toHaveBeenCalledTimes(1)
})

test('a refund already recorded and waiting: no second one from here', async () => {
  const waiting = Object.assign({}, DOUBLE, {
    pending_refund: { id: 40, kind: 'refund', details: { refunded_fen: 2533 }, proposed_by: '张主任' },
  })
  const page = await open(COMMITTEE, listOf(waiting))
  page.openWechatRefund(tap({ id: 7 }))
  expect(wx.navigateTo).not.toHaveBeenCalled()
})

test('the supervisor reads the anomalies but cannot start a refund', async () => {
  const page = await open(SUPERVISOR, listOf(DOUBLE))
  expect(page.data.canResolve).toBe(false)
  page.openWechatRefund(tap({ id: 7 }))
  expect(wx.navigateTo).not.toHaveBeenCalled()
  page.openRefunds()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/refunds/index?compound=yangguang' })
})

test("the latest report shows WeChat Pay's statement: lines, money in, fee, refunds, net and differences", async () => {
  const page = await open(COMMITTEE, listOf(), listOf(Object.assign({}, REPORT, { statement: STATEMENT })))
  expect(page.data.report.statement).toEqual({
    title: '11月29日微信支付对账单',
    figures: [
      { label: '笔数', value: '3' },
      { label: '实收', value: '151.98 元' },
      { label: '手续费', value: '0.91 元' },
      { label: '退款', value: '0.00 元' },
      { label: '净入账', value: '151.07 元' },
    ],
    note: '与本系统账目有 1 处不同：',
    differences: ['订单 LL9：对账单有、本系统无，50.66 元'],
  })
})

test('a report from before statements (no `statement`) shows no statement section', async () => {
  const page = await open(COMMITTEE, listOf())
  expect(page.data.report.line).toBe('11月29日对账：3 笔订单，无差异')
  expect(page.data.report.statement).toBeNull()
})

const inFlight = (overrides) =>
  Object.assign(
    { id: 3, payment_id: 55, anomaly_id: 7, amount_fen: 1000, status: 'proposed', proposed_by: '张主任', reason: '重复缴费' },
    overrides
  )

test('a refund on its way: said under the anomaly, only what is left offered, nothing recorded by hand meanwhile', async () => {
  const refunds = listOf(
    inFlight({ id: 3, amount_fen: 1000, status: 'proposed' }),
    inFlight({ id: 2, amount_fen: 500, status: 'processing', proposed_by: '李会计' }),
    inFlight({ id: 1, amount_fen: 1033, status: 'success' }), // settled: already in refunded_fen
    inFlight({ id: 4, anomaly_id: null, amount_fen: 99, status: 'proposed' }) // a payment's, not an anomaly's
  )
  const page = await open(COMMITTEE, listOf(DOUBLE), listOf(REPORT), refunds)
  const [double] = page.data.anomalies
  expect(double.wechatRefunds).toEqual(['微信退款 10.00 元：待第二人确认（张主任提出）', '微信退款 5.00 元：退款中（李会计提出）'])
  expect(double.wechatLeftFen).toBe(1033)
  page.openWechatRefund(tap({ id: 7 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({
    url: '/pages/refunds/index?compound=yangguang&payment=55&anomaly=7&due=1033',
  })
  page.openResolve(tap({ id: 7 }))
  expect(page.data.resolveId).toBe(0)
})

test('all of it on its way: no 微信退款 either', async () => {
  const page = await open(COMMITTEE, listOf(DOUBLE), listOf(REPORT), listOf(inFlight({ amount_fen: 2533 })))
  expect(page.data.anomalies[0].wechatLeftFen).toBe(0)
  page.openWechatRefund(tap({ id: 7 }))
  expect(wx.navigateTo).not.toHaveBeenCalled()
})

test('refunds unreadable (an older server): the anomalies are shown as before', async () => {
  const page = await open(COMMITTEE, listOf(DOUBLE), listOf(REPORT), { status: 404, body: { code: 'not_found', message: '找不到该内容' } })
  expect(page.data.anomaliesError).toBe('')
  expect(page.data.anomalies[0]).toMatchObject({ wechatRefunds: [], wechatLeftFen: 2533 })
})

test('back from proposing a refund: the anomaly shows it on its way and 微信退款 offers only what is left', async () => {
  const proposed = listOf(inFlight({ id: 3, amount_fen: 2000, status: 'proposed' }))
  const page = await open(COMMITTEE, listOf(DOUBLE), listOf(REPORT), listOf())
  server.on(REFUNDS, proposed)
  await page.onShow() // the first showing: nothing read again
  expect(page.data.anomalies[0].wechatRefunds).toEqual([])
  page.openWechatRefund(tap({ id: 7 }))
  await page.onShow() // back from pages/refunds
  expect(page.data.anomalies[0].wechatRefunds).toEqual(['微信退款 20.00 元：待第二人确认（张主任提出）'])
  expect(page.data.anomalies[0].wechatLeftFen).toBe(533)
})
