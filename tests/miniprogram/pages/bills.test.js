/**
 * @jest-environment node
 *
 * 我的账单 and paying with WeChat Pay: only the server's word that a payment
 * is paid counts, never the success callback of wx.requestPayment.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { RESIDENT, HOUSEHOLD, bill, payment } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => {
  jest.useRealTimers()
})

const BILLS = [
  bill({ id: 1, period: '2026-12', amount_fen: 2533 }),
  bill({ id: 2, period: '2026-11', amount_fen: 2533 }),
  bill({
    id: 3,
    item: 'electricity',
    item_name: '公用电费',
    period: '2026Q4',
    amount_fen: 1290,
    status: 'pending',
  }),
  bill({ id: 4, period: '2026-10', amount_fen: 2533, status: 'paid', paid_at: '2026-10-08T09:30:00+08:00' }),
]

const PAY_PARAMS = {
  appId: 'wx-app',
  timeStamp: '1796436000',
  nonceStr: 'n0nce',
  package: 'prepay_id=wx05100000',
  signType: 'MD5',
  paySign: 'C0FFEE',
}
const ORDER = {
  payment_id: 55,
  out_trade_no: 'LL20261205100000A1B2',
  total_fen: 5066,
  expires_at: '2026-12-05T10:30:00+08:00',
  pay_params: PAY_PARAMS,
}
const STATUS = 'GET /api/v1/payments/55'

async function openBills(items = BILLS) {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items, unpaid_fen: 5066 } })
  const page = createPage('bills')
  await page.onLoad()
  return page
}

// Run the pay flow under fake timers (the polling waits 1.5 s between asks).
async function payWithFakeTimers(page) {
  jest.useFakeTimers()
  const paying = page.pay()
  await jest.advanceTimersByTimeAsync(20000)
  await paying
}

const payAnswers = (answer) =>
  wx.requestPayment.mockImplementation((options) => setTimeout(() => options.fail(answer), 0))

test('lists the bills unpaid first, with every unpaid one ticked and the total in yuan', async () => {
  const page = await openBills()
  expect(page.data.households).toEqual([{ id: 11, label: '阳光小区 1-2-301' }])
  const shown = page.data.bills.map((b) => [b.id, b.itemName, b.period, b.amount, b.statusLabel, b.selected])
  expect(shown).toEqual([
    [1, '自治管理费', '2026年12月', '25.33', '未缴', true],
    [2, '自治管理费', '2026年11月', '25.33', '未缴', true],
    [3, '公用电费', '2026年第4季度', '12.90', '支付中', false],
    [4, '自治管理费', '2026年10月', '25.33', '已缴', false],
  ])
  expect(page.data.bills[3]).toMatchObject({ payable: false, paidOn: '2026-10-08' })
  expect(page.data).toMatchObject({ selectedIds: [1, 2], totalFen: 5066, total: '50.66', hasPending: true })
})

test('ticking changes the total; nothing ticked, nothing to pay', async () => {
  const page = await openBills()
  page.onSelect({ detail: { value: ['2'] } })
  expect(page.data).toMatchObject({ selectedIds: [2], total: '25.33' })
  expect(page.data.bills.map((b) => b.selected)).toEqual([false, true, false, false])

  page.onSelect({ detail: { value: [] } })
  expect(page.data).toMatchObject({ selectedIds: [], total: '0.00' })
  await page.pay()
  expect(requestsMade(wx)).not.toContain('POST /api/v1/payments')
})

test('with several households, the one picked is shown', async () => {
  const second = Object.assign({}, HOUSEHOLD, { id: 12, label: '2-1-502' })
  server.on('GET /api/v1/bills?household_id=12', {
    status: 200,
    body: { items: [bill({ id: 9, household_id: 12, amount_fen: 1001 })], unpaid_fen: 1001 },
  })
  const user = Object.assign({}, RESIDENT, { households: [HOUSEHOLD, second] })
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items: BILLS, unpaid_fen: 5066 } })
  const page = createPage('bills')
  await page.onLoad()
  await page.onHouseholdChange({ detail: { value: '1' } })
  expect(page.data.bills.map((b) => b.id)).toEqual([9])
  expect(page.data.total).toBe('10.01')
})

test('pays: an order for the ticked bills, the WeChat sheet, then the server says paid', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(
    STATUS,
    { status: 200, body: payment({ status: 'pending' }) },
    { status: 200, body: payment({ status: 'pending' }) },
    { status: 200, body: payment({ status: 'paid', paid_at: '2026-12-05T10:00:09+08:00' }) }
  )
  const page = await openBills()
  page.onSelect({ detail: { value: ['1', '2'] } })

  jest.useFakeTimers()
  const paying = page.pay()
  await jest.advanceTimersByTimeAsync(100)
  expect(sentBody(wx, 'POST /api/v1/payments')).toEqual({ bill_ids: [1, 2] })
  const [options] = wx.requestPayment.mock.calls[0]
  expect(options).toMatchObject({
    timeStamp: '1796436000',
    nonceStr: 'n0nce',
    package: 'prepay_id=wx05100000',
    signType: 'MD5',
    paySign: 'C0FFEE',
  })
  expect(options).not.toHaveProperty('appId')
  // The sheet said OK, the server not yet: no success claimed.
  expect(page.data.payMessage).toBe('支付结果确认中…')
  expect(wx.showToast).not.toHaveBeenCalled()

  await jest.advanceTimersByTimeAsync(1500)
  expect(page.data.payMessage).toBe('支付结果确认中…')
  await jest.advanceTimersByTimeAsync(1500)
  await paying
  expect(requestsMade(wx).filter((r) => r === STATUS)).toHaveLength(3)
  expect(page.data).toMatchObject({ payState: 'paid', payMessage: '缴费成功', paying: false })
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '缴费成功' }))
  // The bills are read again to show them paid.
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/bills?household_id=11')).toHaveLength(2)
})

test('still pending after polling: says it is being confirmed, never that it succeeded', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(STATUS, { status: 200, body: payment({ status: 'pending' }) })
  const page = await openBills()
  await payWithFakeTimers(page)
  expect(requestsMade(wx).filter((r) => r === STATUS)).toHaveLength(7)
  expect(page.data).toMatchObject({
    payState: 'pending',
    payMessage: '支付结果确认中，稍后可在缴费记录查看',
  })
  expect(wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '缴费成功' }))
})

test('a closed order is not a success either', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(STATUS, { status: 200, body: payment({ status: 'closed' }) })
  const page = await openBills()
  await payWithFakeTimers(page)
  expect(requestsMade(wx).filter((r) => r === STATUS)).toHaveLength(1)
  expect(page.data.payMessage).toBe('订单已关闭，本次未完成缴费')
})

test('a disputed payment: the amount differed, the committee refunds, the bills are unpaid again', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(STATUS, { status: 200, body: payment({ status: 'disputed', paid_at: '2026-12-05T10:00:09+08:00' }) })
  const page = await openBills()
  // After the dispute the server freed the bills: they read unpaid again.
  server.on('GET /api/v1/bills?household_id=11', {
    status: 200,
    body: { items: BILLS.slice(0, 2), unpaid_fen: 5066 },
  })
  await payWithFakeTimers(page)
  expect(requestsMade(wx).filter((r) => r === STATUS)).toHaveLength(1)
  expect(page.data).toMatchObject({
    payState: 'disputed',
    payMessage: '支付金额与账单不符，业委会将核对并退款，账单已恢复为待缴',
    paying: false,
  })
  expect(wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '缴费成功' }))
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/bills?household_id=11')).toHaveLength(2)
  expect(page.data.bills.map((b) => b.statusLabel)).toEqual(['未缴', '未缴'])
})

test('a status this version does not know is not a success, nor a blank message', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(STATUS, { status: 200, body: payment({ status: 'refunded' }) })
  const page = await openBills()
  await payWithFakeTimers(page)
  expect(page.data).toMatchObject({ payState: 'pending', payMessage: '支付结果确认中，稍后可在缴费记录查看' })
  expect(wx.showToast).not.toHaveBeenCalled()
})

test('the server being unreachable while polling ends in 确认中, not in an error or success', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(STATUS, { fail: 'timeout' })
  const page = await openBills()
  await payWithFakeTimers(page)
  expect(page.data.payMessage).toBe('支付结果确认中，稍后可在缴费记录查看')
})

const CANCEL = 'POST /api/v1/payments/55/cancel'

test('closing the WeChat sheet cancels the order: its bills are free to choose again at once', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(CANCEL, {
    status: 200,
    body: payment({ status: 'closed', cancelled: true, closed_at: '2026-12-05T10:06:00+08:00' }),
  })
  payAnswers({ errMsg: 'requestPayment:fail cancel' })
  const page = await openBills()
  server.on('GET /api/v1/bills?household_id=11', {
    status: 200,
    body: { items: BILLS.slice(0, 2), unpaid_fen: 5066 },
  })
  await page.pay()
  expect(requestsMade(wx)).toContain(CANCEL)
  expect(requestsMade(wx)).not.toContain(STATUS)
  expect(page.data).toMatchObject({
    payState: 'cancelled',
    payMessage: '已取消支付。订单已取消，账单已恢复为待缴，可以重新选择账单缴费',
    paying: false,
  })
  expect(page.data.bills.map((b) => b.statusLabel)).toEqual(['未缴', '未缴'])
})

test('an order under 5 minutes old: cancelled, and the time its bills are freed is said', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(CANCEL, {
    status: 200,
    body: payment({ status: 'pending', cancelled: true, closes_at: '2026-12-05T10:05:00+08:00' }),
  })
  payAnswers({ errMsg: 'requestPayment:fail cancel' })
  const page = await openBills()
  await page.pay()
  expect(page.data.payMessage).toBe(
    '已取消支付。订单已取消。微信支付要求下单 5 分钟后才能关闭订单，10:05 后账单恢复为待缴；仍缴这些账单，可直接再点“去缴费”'
  )
})

test('closing the sheet of an order WeChat Pay was paid for after all: 缴费成功', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(CANCEL, {
    status: 409,
    body: { code: 'payment_already_paid', message: '这笔订单已支付成功，已入账，无需取消' },
  })
  payAnswers({ errMsg: 'requestPayment:fail cancel' })
  const page = await openBills()
  await page.pay()
  expect(page.data).toMatchObject({ payState: 'paid', payMessage: '缴费成功' })
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '缴费成功' }))
})

test('when the order cannot be cancelled (the network), it closes by itself in 30 minutes', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(CANCEL, { fail: 'timeout' })
  payAnswers({ errMsg: 'requestPayment:fail cancel' })
  const page = await openBills()
  await page.pay()
  expect(page.data.payState).toBe('cancelled')
  expect(page.data.payMessage).toContain('已取消支付')
  expect(page.data.payMessage).toContain('本次订单 30 分钟内未支付将自动关闭')
  expect(page.data.paying).toBe(false)
})

test('支付中 bills of an open order offer 取消订单, after a confirmation', async () => {
  const held = BILLS.map((b) => (b.status === 'pending' ? Object.assign({}, b, { payment_id: 70 }) : b))
  server.on('POST /api/v1/payments/70/cancel', {
    status: 200,
    body: payment({ id: 70, status: 'closed', cancelled: true }),
  })
  const page = await openBills(held)
  expect(page.data.orders).toEqual([{ id: 70, amount: '12.90', count: 1 }])
  wx.showModal.mockImplementationOnce((options) => setTimeout(() => options.success({ confirm: false }), 0))
  await page.cancelOrder(tap({ id: 70 }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/payments/70/cancel') // thought better of it
  await page.cancelOrder(tap({ id: 70 }))
  expect(wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '取消这笔订单？' }))
  expect(requestsMade(wx)).toContain('POST /api/v1/payments/70/cancel')
  expect(page.data.payMessage).toBe('订单已取消，账单已恢复为待缴，可以重新选择账单缴费')
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/bills?household_id=11')).toHaveLength(2)
})

test("取消订单 refused: the server's message, the bills read again", async () => {
  const held = BILLS.map((b) => (b.status === 'pending' ? Object.assign({}, b, { payment_id: 70 }) : b))
  server.on('POST /api/v1/payments/70/cancel', {
    status: 409,
    body: { code: 'payment_in_progress', message: '这笔订单正在支付中，请稍后再试' },
  })
  const page = await openBills(held)
  await page.cancelOrder(tap({ id: 70 }))
  expect(page.data).toMatchObject({ payState: 'error', payMessage: '这笔订单正在支付中，请稍后再试' })
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/bills?household_id=11')).toHaveLength(2)
})

test('another failure of the sheet says the payment did not go through (the order stays)', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  payAnswers({ errMsg: 'requestPayment:fail system error' })
  const page = await openBills()
  await page.pay()
  expect(page.data.payState).toBe('failed')
  expect(page.data.payMessage).toContain('支付未完成')
  expect(requestsMade(wx)).not.toContain(CANCEL)
})

test.each([
  [409, 'bill_not_payable', '账单已缴或正在缴费中'],
  [503, 'pay_unavailable', '微信支付暂时不可用，请稍后再试'],
  [503, 'pay_not_configured', '在线缴费暂未开通，请联系单元联络人线下缴费'],
])('a %i %s shows the server message and opens no WeChat sheet', async (status, code, message) => {
  server.on('POST /api/v1/payments', { status, body: { code, message } })
  const page = await openBills()
  await page.pay()
  expect(page.data).toMatchObject({ payState: 'error', payMessage: message, paying: false })
  expect(wx.requestPayment).not.toHaveBeenCalled()
})

test('a second tap while paying opens no second order', async () => {
  server.on('POST /api/v1/payments', { status: 201, body: ORDER })
  server.on(STATUS, { status: 200, body: payment({ status: 'paid' }) })
  const page = await openBills()
  const first = page.pay()
  await page.pay()
  await first
  expect(requestsMade(wx).filter((r) => r === 'POST /api/v1/payments')).toHaveLength(1)
})

test('without a household it offers the binding', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 9, roles: [], households: [] } })
  const page = createPage('bills')
  await page.onLoad()
  expect(page.data).toMatchObject({ loaded: true, households: [], error: '' })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
  page.goBind()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' })
})

test('缴费记录 is one tap away', async () => {
  const page = await openBills()
  page.goPayments()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/payments/index' })
})

// A tab page: WeChat runs onLoad once, later visits are onShow only.
describe('the 缴费 tab shown again', () => {
  test('a failed start is tried again', async () => {
    server.on('GET /api/v1/me', { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }, {
      status: 200,
      body: RESIDENT,
    })
    server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items: BILLS, unpaid_fen: 5066 } })
    const page = createPage('bills')
    await page.onLoad()
    expect(page.data.error).toBe('服务暂时不可用')
    await page.onShow()
    expect(page.data.error).toBe('')
    expect(page.data.bills.map((b) => b.id)).toEqual([1, 2, 3, 4])
  })

  test('a flat bound meanwhile shows its bills', async () => {
    server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [], households: [] } }, {
      status: 200,
      body: RESIDENT,
    })
    server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items: BILLS, unpaid_fen: 5066 } })
    const page = createPage('bills')
    await page.onLoad()
    expect(page.data.households).toEqual([])
    await page.onShow()
    expect(page.data.households.map((h) => h.id)).toEqual([11])
    expect(page.data.bills).toHaveLength(4)
  })
})

describe('the household shown and its bills go together', () => {
  const second = Object.assign({}, HOUSEHOLD, { id: 12, label: '2-1-502' })
  const B_BILLS = { status: 200, body: { items: [bill({ id: 9, household_id: 12, amount_fen: 1001 })], unpaid_fen: 1001 } }

  test('a slower refresh of the first household does not land over the second one picked meanwhile', async () => {
    server.on('GET /api/v1/me', { status: 200, body: Object.assign({}, RESIDENT, { households: [HOUSEHOLD, second] }) })
    server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items: BILLS, unpaid_fen: 5066 } })
    server.on('GET /api/v1/bills?household_id=12', B_BILLS)
    const page = createPage('bills')
    await page.onLoad()
    // From now on the first household's bills are held until released.
    const answer = wx.request.getMockImplementation()
    const held = []
    wx.request.mockImplementation((options) => {
      if (options.url.includes('household_id=11')) held.push(() => answer(options))
      else answer(options)
    })
    const refreshing = page.onShow() // shown again: reads household 1-2-301
    // The held request comes after others, each answered on a timer: wait for it (at
    // most 2 s; a fixed 20 ms may not do on a busy machine), then 20 ms for any other.
    for (let i = 0; i < 400 && held.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(held).toHaveLength(1)
    await page.onHouseholdChange({ detail: { value: '1' } })
    held.forEach((release) => release())
    await refreshing
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(page.data.households[page.data.householdIndex].label).toBe('阳光小区 2-1-502')
    expect(page.data.bills.map((b) => b.id)).toEqual([9])
    expect(page.data.selectedIds).toEqual([9])
  })

  test('picking another household shows 加载中 until its own bills come', async () => {
    server.on('GET /api/v1/me', { status: 200, body: Object.assign({}, RESIDENT, { households: [HOUSEHOLD, second] }) })
    server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items: BILLS, unpaid_fen: 5066 } })
    server.on('GET /api/v1/bills?household_id=12', B_BILLS)
    const page = createPage('bills')
    await page.onLoad()
    const changing = page.onHouseholdChange({ detail: { value: '1' } })
    expect(page.data.loaded).toBe(false)
    await changing
    expect(page.data).toMatchObject({ loaded: true, householdIndex: 1, selectedIds: [9] })
  })

  test('shown again with the same bills, the ticks the resident chose stay', async () => {
    const page = await openBills()
    page.onSelect({ detail: { value: ['1'] } })
    expect(page.data.total).toBe('25.33')
    await page.onShow()
    expect(page.data.selectedIds).toEqual([1])
    expect(page.data.total).toBe('25.33')
  })

  test('shown again with a new bill to pay, every payable bill is ticked again', async () => {
    const page = await openBills()
    page.onSelect({ detail: { value: ['1'] } })
    const more = [bill({ id: 5, period: '2027-01', amount_fen: 2533 })].concat(BILLS)
    server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items: more, unpaid_fen: 7599 } })
    await page.onShow()
    expect(page.data.selectedIds).toEqual([5, 1, 2])
  })
})
