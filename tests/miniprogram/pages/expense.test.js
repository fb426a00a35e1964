/**
 * @jest-environment node
 *
 * One expense: its receipts to enlarge, its history, and the buttons of what I
 * may do, each asking first; object and reverse ask a reason, pay a date and a
 * method. Then 新增支出: yuan to fen exactly, receipts, and a change.
 */
const { installWx, requestsMade, sentBody, signedIn, pickPhotos, cancelModal } = require('../helpers/wx')
const { createPage, tap, input } = require('../helpers/page')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

const expense = (overrides = {}) =>
  Object.assign(
    {
      id: 7,
      compound: 'yangguang',
      fund: 'fee:self_governance',
      fund_name: '自治管理费',
      amount_fen: 35000,
      purpose: '更换3单元楼道灯',
      payee: '老张水电维修部',
      category: 'repair',
      category_label: '维修',
      status: 'proposed',
      version: 1,
      large: false,
      needs_confirmation: false,
      objection: null,
      reversed: false,
      proposed_by: '张主任',
      created_at: '2026-12-05T10:00:00+08:00',
      receipts: [91, 92],
      proofs: [],
      actions: ['approve', 'object'],
      history: [{ action: 'propose', what: '提出支出', actor: '张主任', note: null, at: '2026-12-05T10:00:00+08:00' }],
    },
    overrides
  )

async function openExpense(...answers) {
  server.on('GET /api/v1/expenses/7', ...answers.map((body) => ({ status: 200, body })))
  server.on('GET /api/v1/uploads/91', { status: 200 })
  server.on('GET /api/v1/uploads/92', { status: 200 })
  const page = createPage('expense')
  page.onLoad({ id: '7' })
  await page.onShow()
  return page
}

test('shows the amount, payee, history and the receipts, which enlarge on a tap', async () => {
  const page = await openExpense(expense())
  expect(page.data.expense).toMatchObject({ amount: '350.00', payee: '老张水电维修部', statusText: '待审核', category: '维修' })
  expect(page.data.expense.history.map((h) => `${h.what} ${h.actor}`)).toEqual(['提出支出 张主任'])
  expect(page.data.expense.buttons.map((b) => b.text)).toEqual(['审核通过', '提出异议'])
  expect(page.data.receiptPaths).toEqual(['wxfile://tmp/api/v1/uploads/91', 'wxfile://tmp/api/v1/uploads/92'])
  page.preview(tap({ path: 'wxfile://tmp/api/v1/uploads/92', set: 'receipt' }))
  expect(wx.previewImage).toHaveBeenCalledWith({
    urls: ['wxfile://tmp/api/v1/uploads/91', 'wxfile://tmp/api/v1/uploads/92'],
    current: 'wxfile://tmp/api/v1/uploads/92',
  })
})

test('审核通过 asks first; cancelled, nothing is sent; confirmed, the expense is shown as approved', async () => {
  server.on('POST /api/v1/expenses/7/approve', { status: 200, body: expense({ status: 'approved', actions: ['object'] }) })
  const page = await openExpense(expense())
  cancelModal(wx)
  await page.onAction(tap({ action: 'approve' }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/expenses/7/approve')
  await page.onAction(tap({ action: 'approve' }))
  expect(wx.showModal.mock.calls[1][0].content).toContain('更换3单元楼道灯，¥350.00')
  expect(page.data.expense.statusText).toBe('已批准')
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已审核通过', icon: 'success' })
})

test('提出异议 asks a reason and sends it', async () => {
  server.on('POST /api/v1/expenses/7/object', {
    status: 200,
    body: expense({ status: 'objected', objection: '报价偏高', actions: [] }),
  })
  const page = await openExpense(expense())
  page.onAction(tap({ action: 'object' }))
  expect(page.data).toMatchObject({ asking: 'object', askTitle: '异议理由' })
  await page.onReason({ detail: { reason: '报价偏高' } })
  expect(sentBody(wx, 'POST /api/v1/expenses/7/object')).toEqual({ reason: '报价偏高' })
  expect(page.data.expense).toMatchObject({ statusText: '有异议', objection: '报价偏高' })
  expect(page.data.asking).toBe('')
})

test('登记付款 asks the date and method; a refusal is shown in words and the expense read again', async () => {
  const approved = expense({ status: 'approved', actions: ['pay', 'withdraw'] })
  server.on('POST /api/v1/expenses/7/pay', {
    status: 409,
    body: { code: 'insufficient_funds', message: '自治管理费余额只有 100.00 元，不够支付 350.00 元' },
  })
  const page = await openExpense(approved, approved)
  expect(page.data.expense.buttons.map((b) => b.action)).toEqual(['pay', 'withdraw'])
  page.onAction(tap({ action: 'pay' }))
  expect(page.data.paying).toBe(true)
  expect(page.data.methods[0]).toEqual({ value: 'cash', label: '现金' })
  page.onPayDate({ detail: { value: '2026-12-04' } })
  page.onPayMethod({ detail: { value: '1' } })
  await page.submitPay()
  await settle()
  expect(sentBody(wx, 'POST /api/v1/expenses/7/pay')).toEqual({ paid_on: '2026-12-04', method: 'transfer' })
  const refusal = wx.showModal.mock.calls[1][0]
  expect(refusal).toMatchObject({ title: '未能办理', content: '自治管理费余额只有 100.00 元，不够支付 350.00 元' })
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/expenses/7')).toHaveLength(2)
})

test('修改 opens the form on the expense; a paid one can be reversed with a reason', async () => {
  const page = await openExpense(expense({ status: 'objected', objection: '太贵', actions: ['change', 'withdraw'] }))
  expect(page.data.expense.objection).toBe('太贵')
  page.onAction(tap({ action: 'change' }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expense-new/index?id=7' })

  server.on('POST /api/v1/expenses/7/reverse', {
    status: 200,
    body: expense({ status: 'paid', reversed: true, reversal_reason: '重复付款', actions: [] }),
  })
  const paid = await openExpense(expense({ status: 'paid', actions: ['reverse'] }))
  paid.onAction(tap({ action: 'reverse' }))
  expect(paid.data.askTitle).toBe('冲正原因')
  await paid.onReason({ detail: { reason: '重复付款' } })
  expect(paid.data.expense).toMatchObject({ statusText: '已冲正', reversalReason: '重复付款' })
})

// ----- 新增支出 -----

const FUNDS = {
  funds: [
    { account: 'fee:self_governance', name: '自治管理费', balance_fen: 100000, income_fen_month: 0, spent_fen_month: 0 },
    { account: 'fund:co_construction', name: '共建基金', balance_fen: 500, income_fen_month: 0, spent_fen_month: 0 },
    { account: 'suspense:refund_due', name: '待退款', balance_fen: 0, income_fen_month: 0, spent_fen_month: 0 },
  ],
}

async function openForm(options) {
  server.on('GET /api/v1/compounds/yangguang/funds', { status: 200, body: FUNDS })
  const page = createPage('expense-new')
  await page.onLoad(options)
  return page
}

test('the form offers the funds to spend from, never the refund suspense', async () => {
  const page = await openForm({ compound: 'yangguang' })
  expect(page.data.funds.map((f) => f.label)).toEqual(['自治管理费（余额 ¥1000.00）', '共建基金（余额 ¥5.00）'])
  expect(page.data.categories[0]).toEqual({ value: 'repair', label: '维修' })
})

test('the form checks what is typed and sends yuan as exact fen with the receipts', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 55 } })
  server.on('POST /api/v1/compounds/yangguang/expenses', { status: 201, body: expense({ id: 8 }) })
  const page = await openForm({ compound: 'yangguang' })
  await page.submit()
  expect(page.data.errors).toMatchObject({ amount: '请填写金额，如 350 或 350.50', purpose: '请写明用途', payee: '请填写收款方' })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/compounds/yangguang/expenses')
  page.onInput(input('amount', '0.29'))
  page.onInput(input('purpose', ' 买扫帚 '))
  page.onInput(input('payee', '五金店'))
  page.onCategory({ detail: { value: '1' } })
  pickPhotos(wx, [{ tempFilePath: 'wxfile://receipt.jpg', size: 1000 }])
  await page.chooseReceipt()
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/expenses')).toEqual({
    fund: 'fee:self_governance',
    amount_fen: 29,
    purpose: '买扫帚',
    payee: '五金店',
    category: 'cleaning',
    receipts: [55],
  })
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/expense/index?id=8' })
})

test('a change sends only what changed; a refusal stays on the form', async () => {
  server.on('GET /api/v1/expenses/7', { status: 200, body: expense({ status: 'objected' }) })
  server.on('POST /api/v1/expenses/7/change', {
    status: 409,
    body: { code: 'expense_state', message: '这笔支出现在是「已批准」，不能修改，请刷新后查看' },
  })
  const page = await openForm({ id: '7' })
  expect(page.data).toMatchObject({ editing: true, amount: '350.00', purpose: '更换3单元楼道灯' })
  page.onInput(input('amount', '280'))
  page.onInput(input('note', '换了一家'))
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/expenses/7/change')).toEqual({ amount_fen: 28000, note: '换了一家' })
  expect(page.data.formError).toBe('这笔支出现在是「已批准」，不能修改，请刷新后查看')
  expect(wx.redirectTo).not.toHaveBeenCalled()
})

test('a double tap on 提交 asks once and proposes the expense once', async () => {
  server.on('POST /api/v1/compounds/yangguang/expenses', { status: 201, body: expense({ id: 8 }) })
  const page = await openForm({ compound: 'yangguang' })
  page.onInput(input('amount', '12.30'))
  page.onInput(input('purpose', '买扫帚'))
  page.onInput(input('payee', '五金店'))
  await Promise.all([page.submit(), page.submit()])
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(wx.showModal.mock.calls[0][0].content).toBe('买扫帚：¥12.30，从自治管理费（余额 ¥1000.00）支出。提交后由财务监督审核。')
  expect(requestsMade(wx).filter((r) => r === 'POST /api/v1/compounds/yangguang/expenses')).toHaveLength(1)
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/expenses').amount_fen).toBe(1230)
})

test('"1,000" is refused in words, not read as 1 yuan', async () => {
  const page = await openForm({ compound: 'yangguang' })
  page.onInput(input('amount', '1,000'))
  page.onInput(input('purpose', '买扫帚'))
  page.onInput(input('payee', '五金店'))
  await page.submit()
  expect(page.data.errors).toEqual({ amount: '请填写金额，如 350 或 350.50' })
  expect(wx.showModal).not.toHaveBeenCalled()
})

test('a double tap on 审核通过 asks once and approves once', async () => {
  const page = await openExpense(expense())
  server.on('POST /api/v1/expenses/7/approve', { status: 200, body: expense({ status: 'approved', actions: [] }) })
  await Promise.all([page.onAction(tap({ action: 'approve' })), page.onAction(tap({ action: 'approve' }))])
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx).filter((r) => r === 'POST /api/v1/expenses/7/approve')).toHaveLength(1)
})
