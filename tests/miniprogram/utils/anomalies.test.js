/**
 * @jest-environment node
 *
 * Payment anomalies, the daily reconciliation report and the disputed payment,
 * as the committee, the supervisor and residents read them.
 */
const path = require('path')
const { ROOT } = require('../helpers/wx')

const { anomalyView, reportView } = require(path.join(ROOT, 'utils/anomalies.js'))
const { paymentStatusLabel, anomalyKindLabel } = require(path.join(ROOT, 'utils/labels.js'))
const { paymentView } = require(path.join(ROOT, 'utils/bills.js'))
const { validateResolution } = require(path.join(ROOT, 'utils/validate.js'))
const { anomaly, payment } = require('../helpers/fixtures')

describe('a disputed payment', () => {
  test('has its own label, not the raw status', () => {
    expect(paymentStatusLabel('disputed')).toBe('金额异常')
  })

  test('缴费记录 says what happens next', () => {
    const view = paymentView(payment({ status: 'disputed', paid_at: '2026-12-05T10:00:09+08:00' }))
    expect(view).toMatchObject({
      statusLabel: '金额异常',
      note: '支付金额与账单不符，业委会将核对并退款，账单已恢复为待缴',
    })
    expect(paymentView(payment({ status: 'paid' })).note).toBe('')
  })
})

describe('anomalies in plain Chinese', () => {
  test('a double payment: the bills were paid another way, the money is owed back', () => {
    const view = anomalyView(anomaly({ kind: 'double_payment', details: { bills: [1], refund_due_fen: 2533 } }))
    expect(view).toEqual({
      id: 7,
      paymentId: 55,
      kind: 'double_payment',
      kindLabel: '重复缴费',
      text: '重复缴费：账单已由其他方式缴清，应退 25.33 元',
      outTradeNo: 'LL20261205100000A1B2',
      where: '订单 LL20261205100000A1B2',
      pendingRefund: '',
      createdAt: '2026-12-05 10:05',
      refundDueFen: 2533,
      refundDue: '25.33',
      refunded: '',
      resolved: false,
    })
  })

  test('a voided electricity reading: the household paid, the money goes back to it', () => {
    const details = { household: '1-2-301', period: '2026-12', refund_due_fen: 150, reading_id: 3 }
    const view = anomalyView(anomaly({ kind: 'reading_voided', details: Object.assign({ out_trade_no: undefined }, details) }))
    expect(view).toMatchObject({
      kindLabel: '电费作废退款',
      text: '电费读数作废：1-2-301已缴的电费应退 1.50 元',
      where: '1-2-301',
      refundDueFen: 150,
    })
  })

  test('a refund waiting for a second committee member says so and by whom', () => {
    const pending = { id: 9, kind: 'refund', details: { refunded_fen: 2533 }, proposed_by: '张主任' }
    const view = anomalyView(anomaly({ kind: 'double_payment', details: { refund_due_fen: 2533 }, pending_refund: pending }))
    expect(view.pendingRefund).toBe('退款 25.33 元待另一位委员确认（张主任登记）')
    expect(view.refundDueFen).toBe(2533) // it does not count yet
  })

  test('a refund in part: what went back, what is still to go', () => {
    const view = anomalyView(
      anomaly({ kind: 'double_payment', details: { refund_due_fen: 2533 }, refunded_fen: 1000, refund_left_fen: 1533 })
    )
    expect(view.refundDueFen).toBe(1533)
    expect(view.refunded).toBe('已退 10.00 元，尚需退还 15.33 元')
    // An older server without refund_left_fen: worked out from what is due and refunded.
    const older = anomalyView(anomaly({ kind: 'double_payment', details: { refund_due_fen: 2533 }, refunded_fen: 1000 }))
    expect(older.refundDueFen).toBe(1533)
  })

  test('a disputed amount: what was due, what was taken, what goes back', () => {
    const details = { expected: 5066, received: 5000, refund_due_fen: 5000 }
    expect(anomalyView(anomaly({ kind: 'amount_disputed', details })).text).toBe(
      '金额不符：应付 50.66 元，实付 50.00 元，应退 50.00 元'
    )
    // WeChat Pay named no amount: nothing is owed back, and no "0.00" is made up.
    const unknown = { expected: 5066, received: null, refund_due_fen: 0 }
    expect(anomalyView(anomaly({ kind: 'amount_disputed', details: unknown }))).toMatchObject({
      text: '金额不符：应付 50.66 元，实付 金额不明，应退 0.00 元',
      refundDueFen: 0,
    })
  })

  test.each([
    ['amount_mismatch', { expected: 5066, notified: 1 }, '通知金额不符，等待与微信支付核对', '通知金额不符'],
    ['duplicate_transaction', { transaction_id: '4200001' }, '同一微信交易号重复', '交易号重复'],
    ['something_new', {}, '其他缴费异常', '其他缴费异常'],
  ])('%s reads %s, nothing owed back', (kind, details, text, label) => {
    expect(anomalyView(anomaly({ kind, details }))).toMatchObject({ text, kindLabel: label, refundDueFen: 0 })
    expect(anomalyKindLabel(kind)).toBe(label)
  })
})

describe('the daily report', () => {
  const report = (summary, differences = []) => ({
    day: '2026-11-29',
    summary: Object.assign(
      { orders: 3, paid: 2, closed: 0, pending: 0, disputed: 1, differences: differences.length, open_anomalies: 1 },
      summary
    ),
    differences,
    started_at: '2026-11-30T02:00:00+08:00',
  })

  test('one line: the day, the orders, the differences', () => {
    // The server writes the differences in the committee's words: shown as they come.
    const lines = ['订单 LL1：金额不符：订单 50.66 元，微信支付实收 50.00 元']
    expect(reportView(report({}, lines))).toEqual({
      day: '2026-11-29',
      line: '11月29日对账：3 笔订单，1 处差异',
      differences: ['订单 LL1：金额不符：订单 50.66 元，微信支付实收 50.00 元'],
      statement: null,
    })
    expect(reportView(report({ orders: 12 })).line).toBe('11月29日对账：12 笔订单，无差异')
  })

  test('no report yet: nothing to show', () => {
    expect(reportView(undefined)).toBeNull()
  })
})

describe('resolving an anomaly', () => {
  test('sends the trimmed note and the refund in integer fen', () => {
    expect(validateResolution({ note: ' 已微信转账退还 ', refund: '25.33' }, 2533)).toEqual({
      errors: {},
      body: { resolution: '已微信转账退还', refunded_fen: 2533 },
    })
    expect(validateResolution({ note: '部分退还', refund: '0.1' }, 2533).body).toEqual({
      resolution: '部分退还',
      refunded_fen: 10,
    })
  })

  test.each(['25.335', '', 'abc', '-1'])('refund %p is refused', (refund) => {
    const { errors, body } = validateResolution({ note: '已退', refund }, 2533)
    expect(body).toBeNull()
    expect(errors).toEqual({ refunded_fen: '请填写本次已退的金额（元），最多两位小数' })
  })

  test('no more than is due', () => {
    expect(validateResolution({ note: '已退', refund: '25.34' }, 2533).errors).toEqual({
      refunded_fen: '退款不能超过尚需退还的 25.33 元',
    })
  })

  test('a note is required, one line, at most 200 characters', () => {
    expect(validateResolution({ note: '  ', refund: '1' }, 2533).errors).toEqual({ resolution: '请填写处理说明' })
    expect(validateResolution({ note: '好'.repeat(201), refund: '1' }, 2533).errors).toEqual({
      resolution: '最多 200 个字',
    })
    expect(validateResolution({ note: '好'.repeat(200), refund: '1' }, 2533).body.refunded_fen).toBe(100)
  })

  test('money owed back: a refund of 0 records nothing and is refused', () => {
    expect(validateResolution({ note: '已核对', refund: '0' }, 2533).errors).toEqual({
      refunded_fen: '请填写本次已退的金额（元），最多两位小数',
    })
    expect(validateResolution({ note: '先退一部分', refund: '10' }, 2533).body).toEqual({
      resolution: '先退一部分',
      refunded_fen: 1000,
    })
  })

  test('nothing due: no refund asked, 0 sent', () => {
    expect(validateResolution({ note: '已与微信支付核对', refund: '' }, 0).body).toEqual({
      resolution: '已与微信支付核对',
      refunded_fen: 0,
    })
  })
})

describe("the statement's and refunds' anomalies", () => {
  const text = (kind, details) => anomalyView(anomaly({ kind, details })).text

  test('each says how much and what to do, not just its kind', () => {
    expect(text('statement_missing_here', { day: '2026-12-04', amount_fen: 5066 })).toBe(
      '对账单有、本系统无：微信支付12月4日收到 50.66 元，本系统还没有入账；系统会向微信支付查询后补记'
    )
    expect(text('statement_missing_there', { day: '2026-12-04', amount_fen: 2533 })).toBe(
      '本系统有、对账单无：本系统记为已收 25.33 元，微信支付12月4日的对账单里没有；请在微信支付商户平台核对'
    )
    expect(text('statement_amount', { day: '2026-12-04', expected: 5066, statement_fen: 5000 })).toBe(
      '对账单金额不符：本系统 50.66 元，对账单 50.00 元；请核对后处理差额'
    )
    expect(text('statement_refund', { day: '2026-12-04', out_refund_no: 'RF1', refund_fen: 1250 })).toBe(
      '对账单退款不符：12月4日的对账单里退款 12.50 元 与本系统的退款记录不同；请核对退款记录'
    )
    expect(text('refund_abnormal', { household: '1-1-101', amount_fen: 1250, status: 'CLOSED', out_refund_no: 'RF1' })).toBe(
      '微信退款没有退成：退给1-1-101的 12.50 元被微信支付关闭，钱没有退出；请联系住户另行退还'
    )
    expect(text('refund_abnormal', { amount_fen: 1250, status: 'ABNORMAL' })).toBe(
      '微信退款没有退成：退给住户的 12.50 元出了异常，钱没有退出；请联系住户另行退还'
    )
  })

  test("a line the server could not place says the server's own advice", () => {
    const advice = '微信支付12月4日收款 50.66 元（商户订单号 LL9），本系统没有这笔订单；请向微信支付商户平台查明付款人后退款或补记'
    expect(text('statement_missing_here', { day: '2026-12-04', amount_fen: 5066, advice })).toBe(advice)
  })

  test('details without an amount: the kind, never "0.00 元" or a code', () => {
    expect(text('statement_amount', {})).toBe('对账单金额不符')
    expect(text('refund_abnormal', { status: 'ABNORMAL' })).toBe('退款异常')
  })
})
