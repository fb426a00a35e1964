/**
 * @jest-environment node
 *
 * 收费登记: a liaison picks a household from the 未缴名单 and records the cash
 * or transfer it handed over.
 */
const { installWx, requestsMade, sentBody, pickPhotos, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { LIAISON, RESIDENT, COMMITTEE, role, bill, payment, validationError } = require('../helpers/fixtures')

// "Now" is 2026-12-05 10:00 in Shanghai.
const NOW = Date.parse('2026-12-05T02:00:00Z')

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const UNPAID = 'GET /api/v1/fees/unpaid?compound=yangguang&period=2026-12'
const BILLS = 'GET /api/v1/fees/unpaid-bills?household_id=21'
const RECORD = 'POST /api/v1/offline-payments'

const ROWS = [
  { household_id: 21, label: '1-3-101', owed_fen: 5066, bills: 2 },
  { household_id: 22, label: '1-3-202', owed_fen: 2533, bills: 1 },
]
const HOUSEHOLD_BILLS = [
  bill({ id: 5, household_id: 21, period: '2026-11', amount_fen: 2533 }),
  bill({ id: 6, household_id: 21, period: '2026-12', amount_fen: 2533 }),
]
const RECORDED = {
  id: 8,
  household_id: 21,
  method: 'transfer',
  amount_fen: 5066,
  paid_on: '2026-12-04',
  receipt_photo: null,
  note: null,
  status: 'pending',
  recorded_by_id: 2,
  decided_by_id: null,
  reason: null,
  created_at: '2026-12-05T10:00:00+08:00',
}

async function openCollect(user = LIAISON) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(UNPAID, { status: 200, body: { items: ROWS } })
  server.on(BILLS, { status: 200, body: { items: HOUSEHOLD_BILLS, unpaid_fen: 5066 } })
  const page = createPage('collect')
  await page.onLoad()
  return page
}

async function openForm() {
  const page = await openCollect()
  await page.openHousehold(tap({ id: 21 }))
  return page
}

const dateChange = (value) => ({ detail: { value } })

test('lists the unpaid households of this month in Shanghai, with what they owe in yuan', async () => {
  const page = await openCollect()
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', UNPAID])
  expect(page.data).toMatchObject({ month: '2026-12', monthText: '2026年12月', today: '2026-12-05' })
  expect(page.data.households).toEqual([
    { householdId: 21, label: '1-3-101', owed: '50.66', bills: 2, recorded: false },
    { householdId: 22, label: '1-3-202', owed: '25.33', bills: 1, recorded: false },
  ])
})

test('another month asks for that month', async () => {
  const page = await openCollect()
  server.on('GET /api/v1/fees/unpaid?compound=yangguang&period=2026-11', { status: 200, body: { items: [] } })
  await page.onMonthChange(dateChange('2026-11'))
  expect(page.data).toMatchObject({ monthText: '2026年11月', households: [] })
})

test("tapping a household loads its unpaid bills, all ticked, the amount fixed at their total", async () => {
  const page = await openForm()
  expect(requestsMade(wx)).toContain(BILLS)
  expect(page.data.household).toMatchObject({ householdId: 21, label: '1-3-101' })
  expect(page.data.bills.map((b) => [b.id, b.period, b.amount, b.selected])).toEqual([
    [5, '2026年11月', '25.33', true],
    [6, '2026年12月', '25.33', true],
  ])
  expect(page.data).toMatchObject({ total: '50.66', totalFen: 5066, paidOn: '2026-12-05' })
  expect(page.data.methods[page.data.methodIndex].label).toBe('现金')
})

test('records a transfer: its bills, their total, the day; then it awaits confirmation', async () => {
  server.on(RECORD, { status: 201, body: RECORDED })
  const page = await openForm()
  page.onMethodChange({ detail: { value: '1' } })
  page.onDateChange(dateChange('2026-12-04'))
  await page.submit()
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({
      title: '登记收款',
      content: '1-3-101：转账 ¥50.66（2026-12-04）。登记后须由另一位业委会成员确认，确认后这些账单才记为已缴。',
      confirmText: '登记',
    })
  )
  expect(sentBody(wx, RECORD)).toEqual({
    bill_ids: [5, 6],
    method: 'transfer',
    amount_fen: 5066,
    paid_on: '2026-12-04',
    receipt_photo: null,
    note: null,
  })
  expect(page.data.household).toBe(null)
  expect(page.data.notice).toBe('1-3-101 已登记，等待另一位业委会成员确认')
  expect(page.data.households[0]).toMatchObject({ householdId: 21, recorded: true })
})

test('saying 再看看 to the 登记 question sends nothing and keeps the form', async () => {
  server.on(RECORD, { status: 201, body: RECORDED })
  const page = await openForm()
  cancelModal(wx)
  await page.submit()
  expect(requestsMade(wx)).not.toContain(RECORD)
  expect(page.data.household).toMatchObject({ householdId: 21 })
  expect(page.data.submitting).toBe(false)
})

test('deleting the receipt photo is asked first', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 88 } })
  const page = await openForm()
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/receipt.jpg', size: 2000 }])
  await page.chooseReceipt()
  const key = page.data.receiptPhotos[0].key
  cancelModal(wx)
  await page.removeReceipt(tap({ key }))
  expect(page.data.receiptPhotos).toHaveLength(1)
  await page.removeReceipt(tap({ key }))
  expect(wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '删除收据照片？', confirmText: '删除' }))
  expect(page.data.receiptPhotos).toEqual([])
})

test('a day after today is stopped before any request', async () => {
  server.on(RECORD, { status: 201, body: RECORDED })
  const page = await openForm()
  page.onDateChange(dateChange('2026-12-06'))
  await page.submit()
  expect(page.data.errors).toEqual({ paid_on: '缴费日期不能晚于今天' })
  expect(requestsMade(wx)).not.toContain(RECORD)
})

test('unticking a bill lowers the amount; none ticked, nothing is sent', async () => {
  server.on(RECORD, { status: 201, body: RECORDED })
  const page = await openForm()
  page.onSelect({ detail: { value: ['6'] } })
  expect(page.data.total).toBe('25.33')
  page.onSelect({ detail: { value: [] } })
  await page.submit()
  expect(page.data.errors).toEqual({ bill_ids: '请至少选择一笔账单' })
  expect(requestsMade(wx)).not.toContain(RECORD)

  page.onSelect({ detail: { value: ['6'] } })
  await page.submit()
  expect(sentBody(wx, RECORD)).toMatchObject({ bill_ids: [6], amount_fen: 2533 })
})

test('sends the receipt photo and the note', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 88 } })
  server.on(RECORD, { status: 201, body: RECORDED })
  const page = await openForm()
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/receipt.jpg', size: 2000 }])
  await page.chooseReceipt()
  expect(wx.chooseMedia).toHaveBeenCalledWith(expect.objectContaining({ count: 1 }))
  page.onNoteInput({ detail: { value: ' 女儿代缴 ' } })
  await page.submit()
  expect(sentBody(wx, RECORD)).toMatchObject({ method: 'cash', receipt_photo: 88, note: '女儿代缴' })
})

test('a receipt that failed to upload has to be retried or removed first', async () => {
  server.on('POST /api/v1/uploads', { status: 413, body: { code: 'too_large', message: '照片不能超过 5 MB' } })
  const page = await openForm()
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/receipt.jpg', size: 2000 }])
  await page.chooseReceipt()
  await page.submit()
  expect(page.data.errors).toEqual({ receipt_photo: '有照片没有传上去，请点它重试或删除' })
  expect(requestsMade(wx)).not.toContain(RECORD)
})

test('a bill paid meanwhile: the server message shows and the bills are read again', async () => {
  server.on(RECORD, { status: 409, body: { code: 'bill_not_payable', message: '账单已缴或正在缴费中' } })
  const page = await openForm()
  await page.submit()
  expect(page.data.errors).toEqual({ form: '账单已缴或正在缴费中' })
  expect(page.data.household).not.toBe(null)
  expect(requestsMade(wx).filter((r) => r === BILLS)).toHaveLength(2)
})

test("the server's field errors show under their fields", async () => {
  server.on(RECORD, validationError({ note: ['最多 200 个字'] }))
  const page = await openForm()
  await page.submit()
  expect(page.data.errors).toEqual({ note: '最多 200 个字' })
})

test("a household that is not mine to collect: the server's 403 message", async () => {
  server.on(BILLS, { status: 403, body: { code: 'not_a_collector', message: '只有本单元联络人或业委会成员可以查看' } })
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on(UNPAID, { status: 200, body: { items: ROWS } })
  const page = createPage('collect')
  await page.onLoad()
  await page.openHousehold(tap({ id: 21 }))
  expect(page.data.billsError).toBe('只有本单元联络人或业委会成员可以查看')
})

test('a committee member collects too', async () => {
  const page = await openCollect(COMMITTEE)
  expect(page.data.households).toHaveLength(2)
})

test('someone who collects in two compounds picks one', async () => {
  const other = Object.assign(role('committee', 'compound', 2, '幸福里'), {
    compound: 'xingfu',
    compound_name: '幸福里',
  })
  const user = Object.assign({}, LIAISON, { roles: LIAISON.roles.concat(other) })
  const page = await openCollect(user)
  expect(page.data.compounds).toEqual([
    { code: 'yangguang', name: '阳光小区' },
    { code: 'xingfu', name: '幸福里' },
  ])
  server.on('GET /api/v1/fees/unpaid?compound=xingfu&period=2026-12', { status: 200, body: { items: [] } })
  await page.onCompoundChange({ detail: { value: '1' } })
  expect(requestsMade(wx)).toContain('GET /api/v1/fees/unpaid?compound=xingfu&period=2026-12')
})

test('a resident is told this is for collectors and asks for no list', async () => {
  const page = await openCollect(RESIDENT)
  expect(page.data).toMatchObject({ denied: '只有单元联络人和业委会成员可以登记收费。', error: '' })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

// 1-3-101's December bill sits in the resident's unpaid WeChat Pay order 70.
const HELD_BILLS = [
  HOUSEHOLD_BILLS[0],
  bill({ id: 6, household_id: 21, period: '2026-12', amount_fen: 2533, status: 'pending', payment_id: 70 }),
]
const CANCEL = 'POST /api/v1/payments/70/cancel'

async function openHeldForm() {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on(UNPAID, { status: 200, body: { items: ROWS } })
  server.on(BILLS, { status: 200, body: { items: HELD_BILLS, unpaid_fen: 2533 } })
  const page = createPage('collect')
  await page.onLoad()
  await page.openHousehold(tap({ id: 21 }))
  return page
}

test('bills in the resident’s unpaid WeChat Pay order show as 支付中, not ticked, with their order', async () => {
  const page = await openHeldForm()
  expect(page.data.bills.map((b) => [b.id, b.statusLabel, b.payable, b.selected])).toEqual([
    [5, '未缴', true, true],
    [6, '支付中', false, false],
  ])
  expect(page.data).toMatchObject({ total: '25.33', selectedIds: [5] })
  expect(page.data.orders).toEqual([{ id: 70, amount: '25.33', count: 1 }])
})

test('取消线上订单 asks first, cancels the order, then the freed bills can be recorded', async () => {
  const page = await openHeldForm()
  server.on(CANCEL, { status: 200, body: payment({ id: 70, status: 'closed', cancelled: true }) })
  wx.showModal.mockImplementationOnce((options) => setTimeout(() => options.success({ confirm: false }), 0))
  await page.cancelOrder(tap({ id: 70 }))
  expect(requestsMade(wx)).not.toContain(CANCEL)
  server.on(BILLS, { status: 200, body: { items: HOUSEHOLD_BILLS, unpaid_fen: 5066 } })
  await page.cancelOrder(tap({ id: 70 }))
  expect(wx.showModal).toHaveBeenLastCalledWith(
    expect.objectContaining({ title: '取消住户的微信支付订单？' })
  )
  expect(requestsMade(wx)).toContain(CANCEL)
  expect(page.data.orderNotice).toBe('线上订单已取消，可以登记现金了')
  expect(page.data).toMatchObject({ orders: [], selectedIds: [5, 6], total: '50.66', cancelling: false })
})

test('an order made under 5 minutes ago: the collector is told when to record', async () => {
  const page = await openHeldForm()
  server.on(CANCEL, {
    status: 200,
    body: payment({ id: 70, status: 'pending', cancelled: true, closes_at: '2026-12-05T10:04:00+08:00' }),
  })
  await page.cancelOrder(tap({ id: 70 }))
  expect(page.data.orderNotice).toBe(
    '线上订单已取消。微信支付要求下单 5 分钟后才能关闭订单，请 10:04 后下拉刷新再登记'
  )
  server.on(BILLS, { status: 200, body: { items: HOUSEHOLD_BILLS, unpaid_fen: 5066 } })
  await page.onPullDownRefresh()  // the open household's bills, not the list
  expect(page.data.selectedIds).toEqual([5, 6])
  expect(wx.stopPullDownRefresh).toHaveBeenCalled()
})

test('the resident paid after all: the server says so and the bills are read again', async () => {
  const page = await openHeldForm()
  server.on(CANCEL, {
    status: 409,
    body: { code: 'payment_already_paid', message: '这笔订单已支付成功，已入账，无需取消' },
  })
  server.on(BILLS, { status: 200, body: { items: [HOUSEHOLD_BILLS[0]], unpaid_fen: 2533 } })
  await page.cancelOrder(tap({ id: 70 }))
  expect(page.data.errors).toEqual({ form: '这笔订单已支付成功，已入账，无需取消' })
  expect(page.data.orders).toEqual([])
})
