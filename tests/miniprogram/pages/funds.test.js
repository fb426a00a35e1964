/**
 * @jest-environment node
 *
 * 资金 and 支出: every member of a compound sees its funds and every expense;
 * the committee and the supervisor also what waits for them.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { RESIDENT, COMMITTEE, SUPERVISOR } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const BASE = '/api/v1/compounds/yangguang'
const FUNDS = {
  funds: [
    { account: 'fee:self_governance', name: '自治管理费', balance_fen: 123456, income_fen_month: 50000, spent_fen_month: 35000 },
    { account: 'fund:co_construction', name: '共建基金', balance_fen: 0, income_fen_month: 0, spent_fen_month: 0 },
  ],
}

const expense = (id, overrides = {}) =>
  Object.assign(
    {
      id,
      compound: 'yangguang',
      fund: 'fee:self_governance',
      fund_name: '自治管理费',
      amount_fen: 35000,
      purpose: '更换3单元楼道灯',
      payee: '老张水电维修部',
      category: 'repair',
      category_label: '维修',
      status: 'proposed',
      large: false,
      needs_confirmation: false,
      reversed: false,
      created_at: '2026-12-05T10:00:00+08:00',
      actions: [],
    },
    overrides
  )

test('资金 shows each fund in yuan, residents too', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(`GET ${BASE}/funds`, { status: 200, body: FUNDS })
  const page = createPage('funds')
  page.onLoad()
  await page.onShow()
  expect(page.data.funds[0]).toEqual({
    account: 'fee:self_governance',
    name: '自治管理费',
    balance: '1234.56',
    income: '500.00',
    spent: '350.00',
  })
  expect(page.data.empty).toBe(false)
  page.goExpenses()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expenses/index?compound=yangguang' })
})

test('资金 says what to do for someone in no compound, and shows an error with 重试', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 9, roles: [], households: [] } })
  const page = createPage('funds')
  page.onLoad()
  await page.onShow()
  expect(page.data.denied).toContain('绑定房屋')
  expect(requestsMade(wx)).not.toContain(`GET ${BASE}/funds`)

  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(`GET ${BASE}/funds`, { status: 500, body: { code: 'internal_error', message: '服务器出了点问题，请稍后再试' } })
  const failing = createPage('funds')
  failing.onLoad()
  await failing.onShow()
  expect(failing.data.error).toBe('服务器出了点问题，请稍后再试')
})

test('支出 lists every expense with its status; residents propose nothing and have no queue', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(`GET ${BASE}/expenses`, {
    status: 200,
    body: { items: [expense(2, { status: 'paid', reversed: true }), expense(1)], next_cursor: null, waiting_for_me: 0 },
  })
  const page = createPage('expenses')
  page.onLoad({})
  await page.onShow()
  expect(page.data.items.map((i) => [i.id, i.statusText, i.amount])).toEqual([
    [2, '已冲正', '350.00'],
    [1, '待审核', '350.00'],
  ])
  expect(page.data.canPropose).toBe(false)
  expect(page.data.filters.map((f) => f.key)).toEqual(['all', 'proposed', 'paid'])
  page.openExpense(tap({ id: 2 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expense/index?id=2' })
})

test('the supervisor opens 待我处理 with its count; a filter asks the server again', async () => {
  server.on('GET /api/v1/me', { status: 200, body: SUPERVISOR })
  server.on(`GET ${BASE}/expenses?waiting_for_me=true`, {
    status: 200,
    body: { items: [expense(1, { actions: ['approve', 'object'] })], next_cursor: null, waiting_for_me: 1 },
  })
  server.on(`GET ${BASE}/expenses?status=paid`, { status: 200, body: { items: [], next_cursor: null, waiting_for_me: 1 } })
  const page = createPage('expenses')
  page.onLoad({ filter: 'mine' })
  await page.onShow()
  expect(page.data.filter).toBe('mine')
  expect(page.data.waiting).toBe(1)
  expect(page.data.items[0].waiting).toBe(true)
  expect(page.data.filters.map((f) => f.key)).toContain('mine')
  await page.onFilter(tap({ key: 'paid' }))
  expect(page.data.empty).toBe(true)
  expect(requestsMade(wx)).toContain(`GET ${BASE}/expenses?status=paid`)
})

test('the committee gets 新增支出 and pages further down', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(`GET ${BASE}/expenses`, { status: 200, body: { items: [expense(3)], next_cursor: 'Mg', waiting_for_me: 0 } })
  server.on(`GET ${BASE}/expenses?cursor=Mg`, { status: 200, body: { items: [expense(2)], next_cursor: null, waiting_for_me: 0 } })
  const page = createPage('expenses')
  page.onLoad({ compound: 'yangguang' })
  await page.onShow()
  expect(page.data.canPropose).toBe(true)
  await page.onReachBottom()
  expect(page.data.items.map((i) => i.id)).toEqual([3, 2])
  page.propose()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expense-new/index?compound=yangguang' })
})
