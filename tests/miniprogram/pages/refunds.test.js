/**
 * @jest-environment node
 *
 * 退款记录 and the 微信退款 form: a committee member proposes a refund of an
 * anomaly's money through WeChat Pay; a second member confirms it elsewhere.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const LIST = 'GET /api/v1/compounds/yangguang/refunds'
const REFUNDABLE = 'GET /api/v1/compounds/yangguang/payments/55/refundable'
const PROPOSE = 'POST /api/v1/compounds/yangguang/refunds'

const REFUND = {
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
}
const PAYMENT = {
  payment_id: 55,
  out_trade_no: 'LL20261205100000A1B2',
  household: '1-1-101',
  paid_fen: 5066,
  refunded_fen: 0,
  in_flight_fen: 0,
  refundable_fen: 5066,
  merchant_version: 'v2',
}
const listOf = (...items) => ({ status: 200, body: { items } })

async function openList(...answers) {
  server.on(LIST, ...(answers.length ? answers : [listOf(REFUND)]))
  const page = createPage('refunds')
  await page.onLoad({ compound: 'yangguang' })
  return page
}

async function openForm(query = { payment: '55', anomaly: '7', due: '2533' }, payment = PAYMENT) {
  server.on(LIST, listOf(), listOf(REFUND))
  server.on(REFUNDABLE, { status: 200, body: payment })
  const page = createPage('refunds')
  await page.onLoad(Object.assign({ compound: 'yangguang' }, query))
  return page
}

const typed = (value) => ({ detail: { value } })

test('lists the refunds with amount, status, whose, why and who proposed it', async () => {
  const page = await openList()
  expect(requestsMade(wx)).toContain(LIST)
  expect(page.data.items).toHaveLength(1)
  expect(page.data.items[0]).toMatchObject({
    amount: '25.33',
    statusLabel: '待第二人确认',
    household: '1-1-101',
    reason: '重复缴费',
    steps: ['张主任 提出 2026-12-05 10:05'],
  })
  expect(page.data.form).toBeNull()
})

test('the status filter asks the server for that status only', async () => {
  server.on(`${LIST}?status=success`, listOf())
  const page = await openList()
  const index = page.data.statuses.findIndex((s) => s.value === 'success')
  expect(page.data.statuses[index].label).toBe('已退回')
  expect(page.data.statuses[0].label).toBe('全部')
  await page.onStatusChange({ detail: { value: String(index) } })
  expect(requestsMade(wx)).toContain(`${LIST}?status=success`)
  expect(page.data.items).toEqual([])
})

test('from an anomaly: what may be refunded, the amount prefilled with what is owed back', async () => {
  const page = await openForm()
  expect(requestsMade(wx)).toEqual(expect.arrayContaining([LIST, REFUNDABLE]))
  expect(page.data.payment).toMatchObject({ household: '1-1-101', paid: '50.66', refundable: '25.33' })
  expect(page.data.amount).toBe('25.33')
})

test("an anomaly's refund: no more than the anomaly still owes back", async () => {
  const page = await openForm()
  expect(page.data.payment.refundable).toBe('25.33')
  page.onAmount(typed('25.34'))
  page.onReason(typed('重复缴费'))
  await page.submit()
  expect(page.data.errors).toEqual({ amount_fen: '最多可退 25.33 元' })
  expect(requestsMade(wx)).not.toContain(PROPOSE)
})

test('never prefilled above what WeChat Pay can still refund', async () => {
  const page = await openForm(undefined, Object.assign({}, PAYMENT, { refunded_fen: 4066, refundable_fen: 1000 }))
  expect(page.data.amount).toBe('10.00')
  expect(page.data.payment.refunded).toBe('40.66')
})

test('asks before proposing, saying it goes back through WeChat Pay and cannot be taken back; then says it waits', async () => {
  server.on(PROPOSE, { status: 201, body: REFUND })
  const page = await openForm()
  page.onReason(typed(' 重复缴费，退还多缴的钱 '))
  await page.submit()
  const [question, result] = wx.showModal.mock.calls.map(([options]) => options)
  expect(question).toMatchObject({ title: '微信原路退款', confirmText: '提交' })
  expect(question.content).toContain('退给1-1-101 25.33 元')
  expect(question.content).toContain('微信支付原路退回')
  expect(question.content).toContain('不能撤回')
  expect(sentBody(wx, PROPOSE)).toEqual({ payment_id: 55, amount_fen: 2533, reason: '重复缴费，退还多缴的钱', anomaly_id: 7 })
  expect(result.content).toContain('等待另一位业委会成员确认')
  expect(page.data.form).toBeNull()
  expect(page.data.items.map((r) => r.statusLabel)).toEqual(['待第二人确认'])
})

test('a partial refund of a payment (no anomaly) sends no anomaly_id', async () => {
  server.on(PROPOSE, { status: 201, body: REFUND })
  const page = await openForm({ payment: '55' })
  expect(page.data.amount).toBe('50.66')
  page.onAmount(typed('12.5'))
  page.onReason(typed('搬走了，退一部分'))
  await page.submit()
  expect(sentBody(wx, PROPOSE)).toEqual({ payment_id: 55, amount_fen: 1250, reason: '搬走了，退一部分' })
})

test('取消 in the dialog sends nothing and keeps the form', async () => {
  const page = await openForm()
  page.onReason(typed('重复缴费'))
  cancelModal(wx)
  await page.submit()
  expect(requestsMade(wx)).not.toContain(PROPOSE)
  expect(page.data.form).not.toBeNull()
})

test('no reason, no amount or too much: said under the field, nothing asked or sent', async () => {
  const page = await openForm({ payment: '55' })
  page.onAmount(typed(''))
  await page.submit()
  expect(page.data.errors).toEqual({ amount_fen: '请填写退款金额（元），最多两位小数', reason: '请填写退款理由' })
  page.onAmount(typed('50.67'))
  page.onReason(typed('重复缴费'))
  await page.submit()
  expect(page.data.errors).toEqual({ amount_fen: '最多可退 50.66 元' })
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(requestsMade(wx)).not.toContain(PROPOSE)
})

test("the server's refusal over what is refundable goes under the amount", async () => {
  const message = '最多还能退 10.00 元（已有退款在处理中）'
  server.on(PROPOSE, { status: 400, body: { code: 'refund_exceeds_refundable', message } })
  const page = await openForm()
  page.onReason(typed('重复缴费'))
  await page.submit()
  expect(page.data.errors).toEqual({ amount_fen: message })
  expect(page.data.form).not.toBeNull()
})

test('refunds not set up for this merchant: the server says so in a dialog, the form kept', async () => {
  const message = '这个小区的微信支付还没有配置退款证书，请联系管理员'
  server.on(PROPOSE, { status: 503, body: { code: 'refund_not_configured', message } })
  const page = await openForm()
  page.onReason(typed('重复缴费'))
  await page.submit()
  const last = wx.showModal.mock.calls[wx.showModal.mock.calls.length - 1][0]
  expect(last).toMatchObject({ title: '未能提交退款', content: message })
  expect(page.data.form).not.toBeNull()
  expect(page.data.sending).toBe(false)
})

test('a supervisor, or the list unreadable: the error card with 重试', async () => {
  const page = await openList({ status: 403, body: { code: 'committee_only', message: '只有业委会和财务监督可以查看' } })
  expect(page.data.error).toBe('只有业委会和财务监督可以查看')
})

test('取消 closes the form', async () => {
  const page = await openForm()
  page.cancel(tap({}))
  expect(page.data.form).toBeNull()
})
