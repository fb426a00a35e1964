/**
 * @jest-environment node
 *
 * utils/income.js: contracts and income in plain words, and the forms checked
 * with money parsed exactly to fen.
 */
const { contractView, incomeView, assetView, incomeBody, contractBody, assetBody } = require(
  '../../../miniprogram/utils/income'
)

const CONTRACT = {
  id: 4,
  asset_name: '东门广告牌',
  counterparty: '顺达广告公司',
  kind: 'advertising',
  price_fen: 50000,
  cycle: 'monthly',
  start_on: '2026-11-01',
  end_on: '2027-11-01',
  ended: false,
  next_due: { id: 12, due_on: '2027-01-01', amount_fen: 50000 },
  overdue: [{ id: 11, due_on: '2026-12-01', amount_fen: 50000 }],
  overdue_fen: 50000,
  paid_count: 1,
  paid_fen: 50000,
  waiting_count: 1,
  instalment_count: 12,
}

test('a contract: what is due next, what is overdue, what came in', () => {
  const view = contractView(CONTRACT)
  expect(view).toMatchObject({
    counterparty: '顺达广告公司',
    assetName: '东门广告牌',
    kindLabel: '广告收入',
    cycleLabel: '按月',
    price: '500.00',
    period: '2026年11月1日 至 2027年11月1日',
    nextLine: '下一期：2027年1月1日应收 ¥500.00',
    overdueLine: '逾期未收 1 期，共 ¥500.00（最早 2026年12月1日）',
    paidLine: '已收 1 期，共 ¥500.00；1 期已登记待确认',
  })
  expect(contractView(Object.assign({}, CONTRACT, { ended: true })).nextLine).toBe('合同已提前终止')
  const done = contractView(Object.assign({}, CONTRACT, { next_due: null, overdue: [], waiting_count: 0 }))
  expect([done.nextLine, done.overdueLine, done.paidLine]).toEqual(['没有待收的款项了', '', '已收 1 期，共 ¥500.00'])
})

test('an income record and an asset', () => {
  const view = incomeView({
    id: 9,
    kind: 'parking',
    amount_fen: 30050,
    received_on: '2026-12-04',
    method: 'transfer',
    payer: '便民超市',
    instalment: { id: 11, due_on: '2026-12-01', amount_fen: 30050 },
    status: 'pending',
    recorded_by: '张主任',
    mine: true,
    receipt: [77],
    created_at: '2026-12-05T10:00:00+08:00',
  })
  expect(view).toMatchObject({
    kindLabel: '停车收入',
    amount: '300.50',
    receivedOn: '2026年12月4日',
    methodLabel: '转账',
    instalmentLine: '合同 2026年12月1日 一期（应收 ¥300.50）',
    statusLabel: '待确认',
    mine: true,
    receipt: 77,
    createdAt: '2026-12-05 10:00',
  })
  expect(assetView({ id: 1, kind: 'ad_space', name: '东门广告牌', active: false })).toMatchObject({
    kindLabel: '广告位',
    active: false,
    location: '',
    photos: [],
  })
})

test('income: yuan typed become exact fen, a day to come is refused', () => {
  const form = { kind: 'parking', amount: ' 300.50 ', receivedOn: '2026-12-04', method: 'cash', contractId: 0 }
  expect(incomeBody(form, '2026-12-05')).toEqual({
    errors: {},
    body: {
      kind: 'parking',
      amount_fen: 30050,
      received_on: '2026-12-04',
      method: 'cash',
      contract_id: null,
      payer: null,
      note: null,
      receipt: null,
    },
  })
  expect(incomeBody(Object.assign({}, form, { amount: '0.1' }), '2026-12-05').body.amount_fen).toBe(10)
  expect(incomeBody(Object.assign({}, form, { amount: '12.345' }), '2026-12-05').errors).toEqual({
    amount_fen: '请填写金额，如 300 或 300.50',
  })
  expect(incomeBody(Object.assign({}, form, { amount: '0' }), '2026-12-05').errors).toEqual({ amount_fen: '金额要大于 0' })
  expect(incomeBody(Object.assign({}, form, { receivedOn: '2026-12-06' }), '2026-12-05').errors).toEqual({
    received_on: '收款日期不能晚于今天',
  })
  const withContract = incomeBody(Object.assign({}, form, { contractId: 4, payer: '不会发送' }), '2026-12-05')
  expect([withContract.body.contract_id, withContract.body.payer]).toEqual([4, null])
})

test('a contract needs its counterparty, price and an end after its start', () => {
  const form = {
    assetId: 0,
    counterparty: '',
    kind: 'rent',
    price: 'abc',
    cycle: 'monthly',
    startOn: '2027-01-31',
    endOn: '2027-01-31',
  }
  expect(contractBody(form).errors).toEqual({
    counterparty: '请填写对方名称，如 顺达广告公司',
    price_fen: '请填写金额，如 300 或 300.50',
    end_on: '结束日期要晚于开始日期',
  })
  const good = contractBody(Object.assign({}, form, { counterparty: ' 便民超市 ', price: '800', endOn: '2028-01-31', assetId: 3 }))
  expect(good).toEqual({
    errors: {},
    body: {
      asset_id: 3,
      counterparty: '便民超市',
      kind: 'rent',
      price_fen: 80000,
      cycle: 'monthly',
      start_on: '2027-01-31',
      end_on: '2028-01-31',
      note: null,
      scan: [],
    },
  })
})

test('an asset needs a name', () => {
  expect(assetBody({ kind: 'parking', name: ' ' }).errors).toEqual({ name: '请填写名称，如 东门广告牌' })
  expect(assetBody({ kind: 'parking', name: '车位 1', photos: [5] }).body).toEqual({
    kind: 'parking',
    name: '车位 1',
    location: null,
    note: null,
    photos: [5],
  })
})
