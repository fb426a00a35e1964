/**
 * @jest-environment node
 *
 * 收缴情况: a month's collection figures for the committee and the supervisor.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, RESIDENT, LIAISON_ROLE, COMMITTEE_ROLE, role, anomaly } = require('../helpers/fixtures')

// "Now" is 2026-12-05 in Shanghai.
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
const RESOLVE = 'POST /api/v1/compounds/yangguang/payment-anomalies/7/resolve'

const tally = (billed, paid, rate, billedFen, collectedFen) => ({
  households_billed: billed,
  households_paid: paid,
  collection_rate: rate,
  billed_fen: billedFen,
  collected_fen: collectedFen,
})

const FIGURES = Object.assign(tally(3, 2, 0.6667, 7599, 5066), {
  period: '2026-12',
  by_building: [Object.assign({ building: 1 }, tally(3, 2, 0.6667, 7599, 5066))],
  by_unit: [
    Object.assign({ building: 1, unit: 1, label: '1-1' }, tally(1, 1, 1, 2533, 2533)),
    Object.assign({ building: 1, unit: 2, label: '1-2' }, tally(2, 1, 0.5, 5066, 2533)),
  ],
})

async function openCollection(user, body = FIGURES) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(SUMMARY, { status: 200, body })
  const page = createPage('collection')
  await page.onLoad()
  return page
}

test("shows this month's figures: households, the rate with one decimal, money in yuan", async () => {
  const page = await openCollection(COMMITTEE)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', SUMMARY, ANOMALIES, REFUNDS, REPORTS])
  expect(page.data.summary).toMatchObject({
    period: '2026年12月',
    householdsBilled: 3,
    householdsPaid: 2,
    rate: '66.7%',
    billed: '75.99',
    collected: '50.66',
  })
  expect(page.data.summary.buildings).toEqual([
    {
      key: 'b1',
      label: '1号楼',
      householdsBilled: 3,
      householdsPaid: 2,
      rate: '66.7%',
      billed: '75.99',
      collected: '50.66',
    },
  ])
})

test('lists every unit with its own figures', async () => {
  const page = await openCollection(SUPERVISOR)
  const rows = page.data.summary.units.map((u) => [
    u.label,
    u.householdsPaid,
    u.householdsBilled,
    u.rate,
    u.collected,
    u.billed,
  ])
  expect(rows).toEqual([
    ['1号楼1单元', 1, 1, '100.0%', '25.33', '25.33'],
    ['1号楼2单元', 1, 2, '50.0%', '25.33', '50.66'],
  ])
})

test('a month without bills has no rate', async () => {
  const empty = Object.assign(tally(0, 0, null, 0, 0), { period: '2026-12', by_building: [], by_unit: [] })
  const page = await openCollection(COMMITTEE, empty)
  expect(page.data.summary).toMatchObject({ rate: '—', billed: '0.00', units: [] })
})

test('another month asks for that month (the anomalies are not per month: not asked again)', async () => {
  const page = await openCollection(COMMITTEE)
  server.on('GET /api/v1/fees/summary?compound=yangguang&period=2026-11', {
    status: 200,
    body: Object.assign({}, FIGURES, { period: '2026-11' }),
  })
  await page.onMonthChange({ detail: { value: '2026-11' } })
  expect(page.data.monthText).toBe('2026年11月')
  expect(page.data.summary.period).toBe('2026年11月')
  expect(requestsMade(wx).filter((r) => r === ANOMALIES)).toHaveLength(1)
})

test("the server's refusal is shown", async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(SUMMARY, { status: 403, body: { code: 'committee_only', message: '只有业委会和财务监督可以查看收缴情况' } })
  const page = createPage('collection')
  await page.onLoad()
  expect(page.data).toMatchObject({ error: '只有业委会和财务监督可以查看收缴情况', summary: null })
})

test('a resident asks for no figures', async () => {
  const page = await openCollection(RESIDENT)
  expect(page.data).toMatchObject({ denied: '只有业委会和财务监督可以查看收缴情况。', error: '' })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

describe('payment anomalies and the daily reconciliation', () => {
  const DOUBLE = anomaly({ id: 7, kind: 'double_payment', details: { bills: [1], refund_due_fen: 2533 } })
  const DISPUTED = anomaly({
    id: 8,
    kind: 'amount_disputed',
    details: { out_trade_no: 'LL2', expected: 5066, received: 5000, refund_due_fen: 5000 },
  })
  const MISMATCH = anomaly({
    id: 9,
    kind: 'amount_mismatch',
    details: { out_trade_no: 'LL3', expected: 5066, notified: 1 },
  })
  const REPORT = {
    day: '2026-11-29',
    summary: { orders: 3, paid: 1, closed: 1, pending: 0, disputed: 1, differences: 1, open_anomalies: 2 },
    differences: ['订单 LL2：金额不符：订单 50.66 元，微信支付实收 50.00 元'],
    started_at: '2026-11-30T02:00:05+08:00',
  }
  const OLDER = Object.assign({}, REPORT, { day: '2026-11-28', differences: [] })

  async function openChecks(user, anomalies, reports = { status: 200, body: { items: [REPORT, OLDER] } }) {
    server.on(ANOMALIES, ...(Array.isArray(anomalies) ? anomalies : [anomalies]))
    server.on(REPORTS, reports)
    return openCollection(user)
  }
  const listOf = (...items) => ({ status: 200, body: { items } })
  const modalAnswers = () =>
    wx.showModal.mockImplementation((options) => setTimeout(() => options.success({ confirm: true }), 0))

  test('lists the open anomalies in plain Chinese, and the latest report with its differences', async () => {
    const page = await openChecks(COMMITTEE, listOf(DOUBLE, DISPUTED, MISMATCH))
    expect(page.data.anomalies.map((a) => [a.id, a.text, a.outTradeNo])).toEqual([
      [7, '重复缴费：账单已由其他方式缴清，应退 25.33 元', 'LL20261205100000A1B2'],
      [8, '金额不符：应付 50.66 元，实付 50.00 元，应退 50.00 元', 'LL2'],
      [9, '通知金额不符，等待与微信支付核对', 'LL3'],
    ])
    expect(page.data.report).toEqual({
      day: '2026-11-29',
      line: '11月29日对账：3 笔订单，1 处差异',
      differences: ['订单 LL2：金额不符：订单 50.66 元，微信支付实收 50.00 元'],
      statement: null,
    })
    expect(page.data.canResolve).toBe(true)
    expect(wx.showToast).not.toHaveBeenCalled()
  })

  test('nothing open: an empty list (the section says so), no report yet: no line', async () => {
    const page = await openChecks(COMMITTEE, listOf(), listOf())
    expect(page.data).toMatchObject({ anomalies: [], anomaliesError: '', report: null })
  })

  test('处理 opens the form with the amount due prefilled; the note and refund go to the server in fen', async () => {
    server.on(RESOLVE, { status: 200, body: Object.assign({}, DOUBLE, { resolved_at: '2026-12-05T11:00:00+08:00' }) })
    const page = await openChecks(COMMITTEE, [listOf(DOUBLE, MISMATCH), listOf(MISMATCH)])
    page.openResolve(tap({ id: 7 }))
    expect(page.data).toMatchObject({ resolveId: 7, resolveNote: '', resolveRefund: '25.33', resolveDueFen: 2533 })

    page.onResolveNote({ detail: { value: ' 已通过微信转账退还 ' } })
    page.onResolveRefund({ detail: { value: '25.3' } })
    await page.submitResolve()
    expect(sentBody(wx, RESOLVE)).toEqual({ resolution: '已通过微信转账退还', refunded_fen: 2530 })
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已处理' }))
    // The list is read again: the resolved one is gone, the form closed.
    expect(requestsMade(wx).filter((r) => r === ANOMALIES)).toHaveLength(2)
    expect(page.data.anomalies.map((a) => a.id)).toEqual([9])
    expect(page.data).toMatchObject({ resolveId: 0, resolving: false })
  })

  test('the prefilled amount due is sent as exact fen', async () => {
    server.on(RESOLVE, { status: 200, body: DOUBLE })
    const page = await openChecks(COMMITTEE, listOf(DOUBLE))
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: '已退还' } })
    await page.submitResolve()
    expect(sentBody(wx, RESOLVE)).toEqual({ resolution: '已退还', refunded_fen: 2533 })
  })

  test('nothing due: no refund asked, 0 sent', async () => {
    server.on('POST /api/v1/compounds/yangguang/payment-anomalies/9/resolve', { status: 200, body: MISMATCH })
    const page = await openChecks(COMMITTEE, listOf(MISMATCH))
    page.openResolve(tap({ id: 9 }))
    expect(page.data).toMatchObject({ resolveRefund: '', resolveDueFen: 0 })
    page.onResolveNote({ detail: { value: '已与微信支付核对，金额无误' } })
    await page.submitResolve()
    expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/payment-anomalies/9/resolve')).toEqual({
      resolution: '已与微信支付核对，金额无误',
      refunded_fen: 0,
    })
  })

  const REFUND_FORMAT = { refunded_fen: '请填写本次已退的金额（元），最多两位小数' }
  test.each([
    ['  ', '25.33', { resolution: '请填写处理说明' }],
    ['已退', '25.335', REFUND_FORMAT],
    ['已退', 'abc', REFUND_FORMAT],
    ['已退', '', REFUND_FORMAT],
    ['已退', '25.34', { refunded_fen: '退款不能超过尚需退还的 25.33 元' }],
  ])('note %p, refund %p: nothing is sent', async (note, refund, errors) => {
    const page = await openChecks(COMMITTEE, listOf(DOUBLE))
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: note } })
    page.onResolveRefund({ detail: { value: refund } })
    await page.submitResolve()
    expect(page.data.resolveErrors).toEqual(errors)
    expect(page.data.resolveId).toBe(7)
    expect(requestsMade(wx)).not.toContain(RESOLVE)
  })

  test('a refund in part: recorded, the anomaly stays with what is still to refund', async () => {
    const partly = Object.assign({}, DOUBLE, { refunded_fen: 1000, refund_left_fen: 1533 })
    server.on(RESOLVE, { status: 200, body: partly })
    const page = await openChecks(COMMITTEE, [listOf(DOUBLE), listOf(partly)])
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: '先退 10 元' } })
    page.onResolveRefund({ detail: { value: '10' } })
    await page.submitResolve()
    expect(sentBody(wx, RESOLVE)).toEqual({ resolution: '先退 10 元', refunded_fen: 1000 })
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已记录退款' }))
    expect(page.data.anomalies[0]).toMatchObject({ refundDueFen: 1533, refunded: '已退 10.00 元，尚需退还 15.33 元' })
    page.openResolve(tap({ id: 7 }))
    expect(page.data.resolveRefund).toBe('15.33') // the rest, prefilled
  })

  test('a refund waits for a second committee member: said in a dialog, shown on the anomaly', async () => {
    modalAnswers()
    const pending = { id: 12, kind: 'refund', details: { refunded_fen: 2533 }, proposed_by: '张主任', mine: true }
    const waiting = Object.assign({}, DOUBLE, { pending_refund: pending })
    server.on(RESOLVE, { status: 202, body: waiting })
    const page = await openChecks(COMMITTEE, [listOf(DOUBLE), listOf(waiting)])
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: '已通过微信转账退还' } })
    await page.submitResolve()
    expect(wx.showModal).toHaveBeenCalledWith(
      expect.objectContaining({
        title: '已登记退款',
        content: '退款须由另一位业委会成员在「待确认事项」里确认后才记入账本。',
      })
    )
    expect(wx.showToast).not.toHaveBeenCalled()
    expect(page.data.anomalies[0]).toMatchObject({
      refundDueFen: 2533,
      pendingRefund: '退款 25.33 元待另一位委员确认（张主任登记）',
    })
    page.openResolve(tap({ id: 7 })) // nothing more to record until it is decided
    expect(page.data.resolveId).toBe(0)
  })

  test("refund_exceeds_due: the server's message under the refund, the form kept", async () => {
    const message = '退款不能超过尚需退还的 25.33 元'
    server.on(RESOLVE, { status: 400, body: { code: 'refund_exceeds_due', message } })
    const page = await openChecks(COMMITTEE, listOf(DOUBLE))
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: '已退' } })
    await page.submitResolve()
    expect(page.data).toMatchObject({ resolveId: 7, resolving: false, resolveErrors: { refunded_fen: message } })
    expect(wx.showToast).not.toHaveBeenCalled()
  })

  test('already resolved by someone else (409): said in a dialog, the list read again', async () => {
    modalAnswers()
    server.on(RESOLVE, { status: 409, body: { code: 'anomaly_resolved', message: '该异常已处理' } })
    const page = await openChecks(COMMITTEE, [listOf(DOUBLE), listOf()])
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: '已退' } })
    await page.submitResolve()
    expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '该异常已处理', showCancel: false }))
    expect(page.data).toMatchObject({ resolveId: 0, anomalies: [] })
  })

  test("committee_only (403) on resolving: the server's message, the form kept", async () => {
    modalAnswers()
    const message = '只有业委会成员可以处理缴费异常'
    server.on(RESOLVE, { status: 403, body: { code: 'committee_only', message } })
    const page = await openChecks(COMMITTEE, listOf(DOUBLE))
    page.openResolve(tap({ id: 7 }))
    page.onResolveNote({ detail: { value: '已退' } })
    await page.submitResolve()
    expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: message }))
    expect(page.data).toMatchObject({ resolveId: 7, resolving: false })
  })

  test('the supervisor reads the anomalies and the report, but cannot resolve', async () => {
    const page = await openChecks(SUPERVISOR, listOf(DOUBLE))
    expect(page.data.anomalies.map((a) => a.id)).toEqual([7])
    expect(page.data.report.line).toBe('11月29日对账：3 笔订单，1 处差异')
    expect(page.data.canResolve).toBe(false)
    page.openResolve(tap({ id: 7 }))
    expect(page.data.resolveId).toBe(0)
    await page.submitResolve()
    expect(requestsMade(wx)).not.toContain(RESOLVE)
  })

  test('committee of one compound, supervisor of another: resolving only where on the committee', async () => {
    const other = Object.assign(role('supervisor', 'compound', 2, '明月小区'), {
      compound: 'mingyue',
      compound_name: '明月小区',
    })
    const user = Object.assign({}, COMMITTEE, { roles: [COMMITTEE_ROLE, other] })
    const page = await openChecks(user, listOf(DOUBLE))
    expect(page.data.canResolve).toBe(true)
    server.on('GET /api/v1/fees/summary?compound=mingyue&period=2026-12', { status: 200, body: FIGURES })
    server.on('GET /api/v1/compounds/mingyue/payment-anomalies?open=true', listOf(DOUBLE))
    server.on('GET /api/v1/compounds/mingyue/payment-reports', listOf())
    await page.onCompoundChange({ detail: { value: '1' } })
    expect(page.data).toMatchObject({ canResolve: false, report: null })
    expect(page.data.anomalies.map((a) => a.id)).toEqual([7])
  })

  test('403 on both: the section is hidden, the figures shown, no error and no toast', async () => {
    const refused = { status: 403, body: { code: 'committee_only', message: '只有业委会和财务监督可以查看' } }
    const page = await openChecks(COMMITTEE, refused, refused)
    expect(page.data).toMatchObject({ anomalies: null, report: null, error: '', canResolve: false })
    expect(page.data.summary.rate).toBe('66.7%')
    expect(wx.showToast).not.toHaveBeenCalled()
    expect(wx.showModal).not.toHaveBeenCalled()
  })

  test('the anomalies unreadable for another reason: said inside the section, no toast; 重试 reads them', async () => {
    const page = await openChecks(COMMITTEE, [{ fail: 'timeout' }, listOf(DOUBLE)])
    expect(page.data).toMatchObject({ anomalies: [], anomaliesError: '缴费异常暂时无法读取', error: '' })
    expect(page.data.report.line).toBe('11月29日对账：3 笔订单，1 处差异')
    expect(wx.showToast).not.toHaveBeenCalled()
    await page.retryAnomalies()
    expect(page.data).toMatchObject({ anomaliesError: '', anomaliesRetrying: false })
    expect(page.data.anomalies.map((a) => a.id)).toEqual([7])
  })

  test('a liaison (no finance role) asks for none of it', async () => {
    const user = { id: 5, roles: [LIAISON_ROLE], households: [] }
    server.on('GET /api/v1/me', { status: 200, body: user })
    const page = createPage('collection')
    await page.onLoad()
    expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
    expect(page.data.anomalies).toBeNull()
  })
})
