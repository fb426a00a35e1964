/**
 * @jest-environment node
 *
 * 公共收益: the committee and the supervisor see assets, contracts and income;
 * a committee member other than the recorder confirms or rejects; the forms
 * 登记收入, 新增合同 and 新增资产 are checked, asked and sent.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal, pickPhotos } = require('../helpers/wx')
const { createPage, tap, input } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, RESIDENT } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const ASSETS = 'GET /api/v1/compounds/yangguang/assets'
const CONTRACTS = 'GET /api/v1/compounds/yangguang/contracts'
const INCOME = 'GET /api/v1/compounds/yangguang/income'
const RECORD = 'POST /api/v1/compounds/yangguang/income'

const contract = {
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
  paid_count: 0,
  paid_fen: 0,
  waiting_count: 0,
  instalment_count: 12,
}
const income = (id, overrides = {}) =>
  Object.assign(
    {
      id,
      kind: 'parking',
      amount_fen: 30000,
      received_on: '2026-12-04',
      method: 'cash',
      payer: null,
      instalment: null,
      status: 'pending',
      recorded_by: '李委员',
      mine: false,
      receipt: [],
      created_at: '2026-12-05T10:00:00+08:00',
    },
    overrides
  )

async function open(user = COMMITTEE, items = [income(1), income(2, { mine: true })]) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(ASSETS, { status: 200, body: { items: [{ id: 3, kind: 'ad_space', name: '东门广告牌', active: true, photos: [] }] } })
  server.on(CONTRACTS, { status: 200, body: { items: [contract] } })
  server.on(INCOME, { status: 200, body: { items } })
  const page = createPage('income')
  page.onLoad()
  await page.onShow()
  return page
}

test('the committee sees what waits, the contracts in plain words and the assets', async () => {
  const page = await open()
  expect(page.data.canEdit).toBe(true)
  expect(page.data.pending.map((i) => [i.id, i.mine])).toEqual([
    [1, false],
    [2, true],
  ])
  expect(page.data.contracts[0]).toMatchObject({
    nextLine: '下一期：2027年1月1日应收 ¥500.00',
    overdueLine: '逾期未收 1 期，共 ¥500.00（最早 2026年12月1日）',
  })
  expect(page.data.assets.map((a) => a.name)).toEqual(['东门广告牌'])
  expect(page.data.contractOptions.map((c) => c.label)).toEqual(['不关联合同', '顺达广告公司'])
  expect(page.data.assetOptions.map((c) => c.label)).toEqual(['不关联资产', '东门广告牌'])
})

test('the supervisor reads without buttons; a resident is told it is not for them', async () => {
  const supervisor = await open(SUPERVISOR)
  expect(supervisor.data.canEdit).toBe(false)
  expect(supervisor.data.pending).toHaveLength(2)
  const resident = await open(RESIDENT)
  expect(resident.data.denied).toBe('只有业委会成员和财务监督可以查看公共收益。')
})

test('确认 asks first, then confirms and reads the lists again', async () => {
  server.on('POST /api/v1/income/1/confirm', { status: 200, body: income(1, { status: 'confirmed' }) })
  const page = await open()
  cancelModal(wx)
  await page.confirmItem(tap({ id: 1 }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/income/1/confirm')
  await page.confirmItem(tap({ id: 1 }))
  expect(wx.showModal.mock.calls[1][0].content).toBe('停车收入 ¥300.00（现金，2026年12月4日）。确认收到后计入共建基金，不能撤回。')
  expect(requestsMade(wx)).toContain('POST /api/v1/income/1/confirm')
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已确认', icon: 'success' })
  // My own record has no buttons: tapping does nothing.
  await page.confirmItem(tap({ id: 2 }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/income/2/confirm')
})

test('驳回 asks the reason in the dialog; a refusal is shown in a dialog', async () => {
  server.on('POST /api/v1/income/1/reject', {
    status: 409,
    body: { code: 'income_decided', message: '该笔收入已处理' },
  })
  const page = await open()
  page.rejectItem(tap({ id: 1 }))
  expect(page.data.dialog).toMatchObject({ kind: 'income', id: 1, title: '驳回理由' })
  await page.onDialogConfirm({ detail: { reason: '金额不对' } })
  expect(sentBody(wx, 'POST /api/v1/income/1/reject')).toEqual({ reason: '金额不对' })
  expect(wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '未能处理', content: '该笔收入已处理' }))
  expect(page.data.dialog).toBe(null)
})

test('提前终止 a contract with a reason', async () => {
  server.on('POST /api/v1/contracts/4/end', { status: 200, body: {} })
  const page = await open()
  page.endItem(tap({ id: 4 }))
  expect(page.data.dialog).toMatchObject({ kind: 'contract', title: '终止合同的原因' })
  await page.onDialogConfirm({ detail: { reason: '对方停业' } })
  expect(sentBody(wx, 'POST /api/v1/contracts/4/end')).toEqual({ reason: '对方停业' })
})

test('登记收入: checked first, then asked, then sent with the amount in fen and the receipt', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 88 } })
  server.on(RECORD, { status: 201, body: income(5) })
  const page = await open()
  page.openForm(tap({ form: 'income' }))
  expect(page.data.form).toBe('income')
  expect(page.data.inReceivedOn).toBe(page.data.today)
  await page.submitIncome()
  expect(page.data.errors).toEqual({ amount_fen: '请填写金额，如 300 或 300.50' })
  page.onInput(input('inAmount', '1200.5'))
  page.onPick({ currentTarget: { dataset: { field: 'inContractIndex' } }, detail: { value: '1' } })
  page.onPick({ currentTarget: { dataset: { field: 'inMethodIndex' } }, detail: { value: '1' } })
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/receipt.jpg', size: 2000 }])
  await page.addPhoto(tap({ key: 'receiptPhotos' }))
  expect(wx.chooseMedia).toHaveBeenCalledWith(expect.objectContaining({ count: 1 }))
  await page.submitIncome()
  // Money in a question reads with two decimals, as on every list.
  expect(wx.showModal.mock.calls[0][0].content).toContain('¥1200.50，顺达广告公司')
  expect(sentBody(wx, RECORD)).toEqual({
    kind: 'advertising',
    amount_fen: 120050,
    received_on: page.data.today,
    method: 'transfer',
    contract_id: 4,
    payer: null,
    note: null,
    receipt: 88,
  })
  expect(page.data.form).toBe('')
})

test('the server\'s field errors land under their fields, others on top', async () => {
  server.on(RECORD, {
    status: 400,
    body: { code: 'validation_error', message: '输入有误', details: { fields: { received_on: ['日期不对'] } } },
  }, { status: 409, body: { code: 'nothing_due', message: '该合同的每一期都已登记收款' } })
  const page = await open()
  page.openForm(tap({ form: 'income' }))
  page.onInput(input('inAmount', '300'))
  await page.submitIncome()
  expect(page.data.errors).toEqual({ received_on: '日期不对' })
  await page.submitIncome()
  expect(page.data.errors).toEqual({ form: '该合同的每一期都已登记收款' })
  expect(page.data.form).toBe('income')
})

test('新增合同 and 新增资产 send what was typed', async () => {
  server.on('POST /api/v1/compounds/yangguang/contracts', { status: 201, body: contract })
  server.on('POST /api/v1/compounds/yangguang/assets', { status: 201, body: {} })
  const page = await open()
  page.openForm(tap({ form: 'contract' }))
  page.onPick({ currentTarget: { dataset: { field: 'ctAssetIndex' } }, detail: { value: '1' } })
  page.onInput(input('ctCounterparty', '便民超市'))
  page.onInput(input('ctPrice', '800'))
  page.onDate({ currentTarget: { dataset: { field: 'ctStartOn' } }, detail: { value: '2027-01-31' } })
  page.onDate({ currentTarget: { dataset: { field: 'ctEndOn' } }, detail: { value: '2028-01-31' } })
  await page.submitContract()
  expect(wx.showModal.mock.calls[0][0].content).toContain('¥800.00，2027-01-31 至 2028-01-31')
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/contracts')).toMatchObject({
    asset_id: 3,
    counterparty: '便民超市',
    kind: 'advertising',
    price_fen: 80000,
    cycle: 'monthly',
    start_on: '2027-01-31',
    end_on: '2028-01-31',
  })
  page.openForm(tap({ form: 'asset' }))
  await page.submitAsset()
  expect(page.data.errors).toEqual({ name: '请填写名称，如 东门广告牌' })
  page.onInput(input('asName', '车位 7'))
  page.onPick({ currentTarget: { dataset: { field: 'asKindIndex' } }, detail: { value: '1' } })
  await page.submitAsset()
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/assets')).toEqual({
    kind: 'parking',
    name: '车位 7',
    location: null,
    note: null,
    photos: [],
  })
})

test('停用 an asset asks first', async () => {
  server.on('PATCH /api/v1/assets/3', { status: 200, body: {} })
  const page = await open()
  await page.retireAsset(tap({ id: 3 }))
  expect(wx.showModal.mock.calls[0][0].title).toBe('停用资产')
  expect(sentBody(wx, 'PATCH /api/v1/assets/3')).toEqual({ active: false })
})

test('a double tap on 登记 asks once and records the income once', async () => {
  server.on(RECORD, { status: 201, body: income(5) })
  const page = await open()
  page.openForm(tap({ form: 'income' }))
  page.onInput(input('inAmount', '0.1'))
  await Promise.all([page.submitIncome(), page.submitIncome()])
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(wx.showModal.mock.calls[0][0].content).toContain('¥0.10')
  expect(requestsMade(wx).filter((r) => r === RECORD)).toHaveLength(1)
  expect(sentBody(wx, RECORD).amount_fen).toBe(10)
})
