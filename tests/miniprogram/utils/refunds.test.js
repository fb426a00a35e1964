/**
 * @jest-environment node
 *
 * Refunds through WeChat Pay in plain words: the committee's 退款记录, the
 * resident's lines under a payment, WeChat Pay's daily statement.
 */
const { refundView, paymentRefundLines, statementView } = require('../../../miniprogram/utils/refunds')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const refund = (overrides = {}) =>
  Object.assign(
    {
      id: 3,
      payment_id: 55,
      out_trade_no: 'LL20261205100000A1B2',
      household: '1-1-101',
      amount_fen: 2533,
      reason: '重复缴费',
      status: 'proposed',
      anomaly_id: 7,
      pending_change_id: 40,
      proposed_by: '张主任',
      confirmed_by: null,
      created_at: '2026-12-05T10:05:00+08:00',
      confirmed_at: null,
      sent_at: null,
      settled_at: null,
      received_by: null,
      error: null,
    },
    overrides
  )

describe('退款记录', () => {
  test('a proposed refund: amount, whose, why, who proposed it and that it waits', () => {
    expect(refundView(refund())).toEqual({
      id: 3,
      paymentId: 55,
      household: '1-1-101',
      outTradeNo: 'LL20261205100000A1B2',
      amount: '25.33',
      status: 'proposed',
      statusLabel: '待第二人确认',
      reason: '重复缴费',
      steps: ['张主任 提出 2026-12-05 10:05'],
      receivedBy: '',
      error: '',
      waiting: true,
      failed: false,
      tone: 'waiting',
    })
  })

  test('a refund that arrived: each step with who and when, and where the money went', () => {
    const view = refundView(
      refund({
        status: 'success',
        confirmed_by: '李会计',
        confirmed_at: '2026-12-05T11:00:00+08:00',
        sent_at: '2026-12-05T11:00:02+08:00',
        settled_at: '2026-12-05T11:03:00+08:00',
        received_by: '支付用户零钱',
      })
    )
    expect(view.statusLabel).toBe('已退回')
    expect(view.steps).toEqual([
      '张主任 提出 2026-12-05 10:05',
      '李会计 确认 2026-12-05 11:00',
      '交给微信支付 2026-12-05 11:00',
      '已退回 2026-12-05 11:03',
    ])
    expect(view.receivedBy).toBe('退到住户的微信零钱')
    expect(view.waiting).toBe(false)
    expect(view.tone).toBe('done')
  })

  test('WeChat Pay refused it: marked failed, with its reason', () => {
    const view = refundView(refund({ status: 'failed', error: '余额不足' }))
    expect(view).toMatchObject({ statusLabel: '微信支付拒绝', failed: true, error: '余额不足', tone: 'failed' })
  })

  test('the status is coloured by what it means: on its way is not yet good news, rejected is plain', () => {
    const tones = ['proposed', 'confirmed', 'processing', 'success', 'closed', 'abnormal', 'failed', 'rejected'].map(
      (status) => refundView(refund({ status })).tone
    )
    expect(tones).toEqual(['waiting', 'waiting', 'waiting', 'done', 'failed', 'failed', 'failed', 'plain'])
  })

  test('money back to a bank card names the card as the payer’s', () => {
    const view = refundView(refund({ status: 'success', received_by: '招商银行信用卡0403' }))
    expect(view.receivedBy).toBe('退到住户的招商银行信用卡0403')
  })
})

describe("the resident's payment", () => {
  // This year's dates: a time of this year is shown without its year (12月4日 11:03).
  const at = (monthDayTime) => `${todayInShanghai().slice(0, 4)}-${monthDayTime}+08:00`

  test('money on its way says where it goes and how long it takes; money back says when and where it went', () => {
    const lines = paymentRefundLines({
      refunds: [
        { amount_fen: 1000, status: 'processing', sent_at: at('12-05T11:00:00'), settled_at: null, received_by: null },
        {
          amount_fen: 1533,
          status: 'success',
          sent_at: at('12-04T11:00:00'),
          settled_at: at('12-04T11:03:00'),
          received_by: '支付用户零钱',
        },
        {
          amount_fen: 300,
          status: 'success',
          sent_at: at('12-04T11:00:00'),
          settled_at: at('12-06T09:30:00'),
          received_by: '招商银行信用卡0403',
        },
        { amount_fen: 200, status: 'abnormal', sent_at: at('12-03T11:00:00'), settled_at: null, received_by: null },
      ],
    })
    expect(lines.map((l) => [l.text, l.detail, l.tone])).toEqual([
      [
        '退款 10.00 元 · 正在退回',
        '12月5日 11:00 已交给微信支付，原路退回您付款时用的微信零钱或银行卡。' +
          '退回微信零钱一般20分钟内到账，退回银行卡一般要1到3个工作日。',
        'waiting',
      ],
      ['退款 15.33 元 · 已退回', '12月4日 11:03 已退到您的微信零钱。', 'done'],
      ['退款 3.00 元 · 已退回', '12月6日 09:30 已退到您的招商银行信用卡0403。', 'done'],
      ['退款 2.00 元 · 没有退成', '这笔钱没有退出，业委会会联系您另行退还。', 'failed'],
    ])
    // No WeChat Pay wording ("支付用户零钱"), no codes, no year of this year.
    expect(lines.map((l) => l.detail).join('')).not.toMatch(/支付用户|[A-Za-z]|\d{4}-/)
  })

  test('two refunds of the same amount on their way are two lines, each with its own key', () => {
    const same = { amount_fen: 500, status: 'processing', sent_at: at('12-05T11:00:00') }
    const lines = paymentRefundLines({ refunds: [same, Object.assign({}, same)] })
    expect(lines.map((l) => l.text)).toEqual(['退款 5.00 元 · 正在退回', '退款 5.00 元 · 正在退回'])
    expect(new Set(lines.map((l) => l.key)).size).toBe(2)
  })

  test('confirmed but not yet handed to WeChat Pay: the committee agreed, the money is about to go', () => {
    const [line] = paymentRefundLines({ refunds: [{ amount_fen: 500, status: 'confirmed', sent_at: null }] })
    expect(line.text).toBe('退款 5.00 元 · 正在退回')
    expect(line.detail).toMatch(/^业委会已同意退款，原路退回您付款时用的微信零钱或银行卡。/)
  })

  test('a refund the committee has not agreed on yet, or turned down, is not shown', () => {
    const refunds = [
      { amount_fen: 1000, status: 'proposed' },
      { amount_fen: 1000, status: 'rejected' },
    ]
    expect(paymentRefundLines({ refunds })).toEqual([])
    expect(paymentRefundLines({})).toEqual([])
  })
})

describe('微信支付对账单', () => {
  test('compared: lines, money in, fee, refunds, net, and each difference', () => {
    const view = statementView(
      {
        status: 'compared',
        lines: 3,
        paid_fen: 15198,
        refund_fen: 2533,
        fee_fen: 91,
        net_fen: 12574,
        differences: ['订单 LL9：对账单有、本系统无，50.66 元'],
      },
      '2026-11-29'
    )
    expect(view).toEqual({
      title: '11月29日微信支付对账单',
      figures: [
        { label: '笔数', value: '3' },
        { label: '实收', value: '151.98 元' },
        { label: '手续费', value: '0.91 元' },
        { label: '退款', value: '25.33 元' },
        { label: '净入账', value: '125.74 元' },
      ],
      note: '与本系统账目有 1 处不同：',
      differences: ['订单 LL9：对账单有、本系统无，50.66 元'],
    })
  })

  test('no differences: says the books agree', () => {
    const view = statementView({ status: 'compared', lines: 0, paid_fen: 0, refund_fen: 0, fee_fen: 0, net_fen: 0, differences: [] })
    expect(view.note).toBe('与本系统账目一致')
  })

  test('not ready, unreadable or unavailable: says which, with no figures', () => {
    expect(statementView({ status: 'not_ready' }, '2026-11-29')).toEqual({
      title: '11月29日微信支付对账单',
      figures: [],
      note: '微信支付还没有生成这一天的对账单，明天再看',
      differences: [],
    })
    expect(statementView({ status: 'unreadable' }).note).toBe('对账单下载了但读不懂，已请管理员查看')
    expect(statementView({ status: 'unavailable' }).note).toBe('暂时下载不到对账单，稍后会再试')
  })

  test('no statement in the report: nothing', () => {
    expect(statementView(null)).toBeNull()
    expect(statementView(undefined)).toBeNull()
  })
})
