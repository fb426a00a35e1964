/**
 * @jest-environment node
 *
 * api/income.js: the paths, methods and bodies the server's contract names.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const income = require('../../../miniprogram/api/income')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

test('lists: assets, contracts, one contract, income by status', async () => {
  for (const route of [
    'GET /api/v1/compounds/yangguang/assets',
    'GET /api/v1/compounds/yangguang/contracts',
    'GET /api/v1/contracts/4',
    'GET /api/v1/compounds/yangguang/income?status=pending',
    'GET /api/v1/compounds/yangguang/income',
  ]) {
    server.on(route, { status: 200, body: { items: [] } })
  }
  await income.listAssets('yangguang')
  await income.listContracts('yangguang')
  await income.getContract(4)
  await income.listIncome('yangguang', { status: 'pending' })
  await income.listIncome('yangguang')
  expect(requestsMade(wx)).toEqual([
    'GET /api/v1/compounds/yangguang/assets',
    'GET /api/v1/compounds/yangguang/contracts',
    'GET /api/v1/contracts/4',
    'GET /api/v1/compounds/yangguang/income?status=pending',
    'GET /api/v1/compounds/yangguang/income',
  ])
})

test('writes post their bodies where the contract says', async () => {
  const routes = {
    'POST /api/v1/compounds/yangguang/assets': { kind: 'parking', name: '车位 1' },
    'PATCH /api/v1/assets/3': { active: false },
    'POST /api/v1/compounds/yangguang/contracts': { counterparty: '便民超市', price_fen: 80000 },
    'POST /api/v1/contracts/4/end': { reason: '对方停业' },
    'POST /api/v1/compounds/yangguang/income': { kind: 'rent', amount_fen: 30050 },
    'POST /api/v1/income/9/reject': { reason: '金额不对' },
  }
  for (const route of Object.keys(routes).concat(['POST /api/v1/income/9/confirm'])) {
    server.on(route, { status: 200, body: { id: 1 } })
  }
  await income.createAsset('yangguang', routes['POST /api/v1/compounds/yangguang/assets'])
  await income.updateAsset(3, { active: false })
  await income.createContract('yangguang', routes['POST /api/v1/compounds/yangguang/contracts'])
  await income.endContract(4, '对方停业')
  await income.recordIncome('yangguang', routes['POST /api/v1/compounds/yangguang/income'])
  await income.confirmIncome(9)
  await income.rejectIncome(9, '金额不对')
  for (const route of Object.keys(routes)) expect(sentBody(wx, route)).toEqual(routes[route])
  expect(requestsMade(wx)).toContain('POST /api/v1/income/9/confirm')
})

test('a refusal rejects with the server\'s words', async () => {
  server.on('POST /api/v1/income/9/confirm', {
    status: 403,
    body: { code: 'same_person', message: '登记人不能确认自己登记的收入，请另一位业委会成员确认' },
  })
  await expect(income.confirmIncome(9)).rejects.toMatchObject({ status: 403, code: 'same_person' })
})
