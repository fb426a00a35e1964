/**
 * @jest-environment node
 *
 * api/spending.js: one function per endpoint of funds and expenses.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')

let wx, server, api

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  jest.isolateModules(() => {
    api = require(path.join(ROOT, 'api/spending.js'))
  })
})

const BASE = '/api/v1/compounds/yangguang'

test('each endpoint has its path, method and body', async () => {
  server.on(`GET ${BASE}/funds`, { status: 200, body: { funds: [] } })
  server.on(`GET ${BASE}/expenses`, { status: 200, body: { items: [] } })
  server.on(`GET ${BASE}/expenses?status=proposed&cursor=abc`, { status: 200, body: { items: [] } })
  server.on(`GET ${BASE}/expenses?waiting_for_me=true`, { status: 200, body: { items: [] } })
  server.on('GET /api/v1/expenses/7', { status: 200, body: { id: 7 } })
  server.on(`POST ${BASE}/expenses`, { status: 201, body: { id: 7 } })
  server.on('POST /api/v1/expenses/7/object', { status: 200, body: { id: 7 } })
  server.on('POST /api/v1/expenses/7/approve', { status: 200, body: { id: 7 } })
  await api.compoundFunds('yangguang')
  await api.listExpenses('yangguang')
  await api.listExpenses('yangguang', { status: 'proposed', cursor: 'abc' })
  await api.listExpenses('yangguang', { waitingForMe: true })
  await api.getExpense(7)
  const body = { fund: 'fee:self_governance', amount_fen: 35000, purpose: '换灯', payee: '老张', category: 'repair', receipts: [3] }
  await api.proposeExpense('yangguang', body)
  await api.expenseAction(7, 'object', { reason: '太贵' })
  await api.expenseAction(7, 'approve')
  expect(requestsMade(wx)).toEqual([
    `GET ${BASE}/funds`,
    `GET ${BASE}/expenses`,
    `GET ${BASE}/expenses?status=proposed&cursor=abc`,
    `GET ${BASE}/expenses?waiting_for_me=true`,
    'GET /api/v1/expenses/7',
    `POST ${BASE}/expenses`,
    'POST /api/v1/expenses/7/object',
    'POST /api/v1/expenses/7/approve',
  ])
  expect(sentBody(wx, `POST ${BASE}/expenses`)).toEqual(body)
  expect(sentBody(wx, 'POST /api/v1/expenses/7/object')).toEqual({ reason: '太贵' })
  expect(sentBody(wx, 'POST /api/v1/expenses/7/approve')).toEqual({})
})

test("a refusal comes back as the server's words", async () => {
  server.on('POST /api/v1/expenses/7/pay', {
    status: 409,
    body: { code: 'insufficient_funds', message: '自治管理费余额只有 100.00 元，不够支付 350.00 元' },
  })
  await expect(api.expenseAction(7, 'pay', { paid_on: '2026-12-05', method: 'cash' })).rejects.toMatchObject({
    status: 409,
    code: 'insufficient_funds',
  })
})
