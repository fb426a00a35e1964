/**
 * @jest-environment node
 *
 * 待确认缴费: a second committee member confirms or rejects what a collector recorded.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE, LIAISON } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const LIST = 'GET /api/v1/offline-payments?compound=yangguang&status=pending'
const CONFIRM = 'POST /api/v1/offline-payments/1/confirm'
const REJECT = 'POST /api/v1/offline-payments/1/reject'

const offline = (id, overrides = {}) =>
  Object.assign(
    {
      id,
      household_id: 20 + id,
      household_label: `1-1-10${id}`,
      method: 'cash',
      amount_fen: 5066,
      paid_on: '2026-12-04',
      receipt_photo: null,
      note: null,
      status: 'pending',
      recorded_by_id: 2,
      decided_by_id: null,
      reason: null,
      created_at: '2026-12-05T10:00:00+08:00',
    },
    overrides
  )
const FIRST = offline(1, { method: 'transfer', receipt_photo: 91, note: '尾号 0427' })
const SECOND = offline(2, { amount_fen: 2533 })

const modalAnswers = (answer) =>
  wx.showModal.mockImplementation((options) => setTimeout(() => options.success(answer), 0))

async function openConfirm(...lists) {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(LIST, ...lists.map((items) => ({ status: 200, body: { items } })))
  const page = createPage('confirm')
  page.onLoad()
  await page.onShow()
  return page
}

test('lists pending payments with household, amount, method, day, note and the receipt photo', async () => {
  server.on('GET /api/v1/uploads/91', { status: 200 })
  const page = await openConfirm([FIRST, SECOND])
  await page.loadPhotos() // receipts come in the background
  const shown = page.data.items.map(({ id, householdId, householdLabel, amount, method, paidOn, note }) => ({
    id,
    householdId,
    householdLabel,
    amount,
    method,
    paidOn,
    note,
  }))
  expect(shown).toEqual([
    {
      id: 1,
      householdId: 21,
      householdLabel: '1-1-101',
      amount: '50.66',
      method: '转账',
      paidOn: '2026-12-04',
      note: '尾号 0427',
    },
    {
      id: 2,
      householdId: 22,
      householdLabel: '1-1-102',
      amount: '25.33',
      method: '现金',
      paidOn: '2026-12-04',
      note: '',
    },
  ])
  // The receipt needs the bearer header: downloaded, then shown from the temp file.
  expect(wx.downloadFile).toHaveBeenCalledTimes(1)
  expect(wx.downloadFile.mock.calls[0][0].header).toEqual({ Authorization: 'Bearer valid-token' })
  expect(page.data.items[0].photoPath).toBe('wxfile://tmp/api/v1/uploads/91')
  expect(page.data.items[1]).toMatchObject({ receiptPhoto: 0, photoPath: '' })
})

test('a payment without its household label shows the household id', async () => {
  const page = await openConfirm([
    offline(2, { household_label: null }),
    offline(3, { household_label: undefined }),
  ])
  expect(page.data.items.map((i) => i.householdLabel)).toEqual(['房屋 22', '房屋 23'])
})

test('a receipt that cannot be fetched says so', async () => {
  server.on('GET /api/v1/uploads/91', { status: 404, body: {} })
  const page = await openConfirm([FIRST])
  await page.loadPhotos()
  expect(page.data.items[0]).toMatchObject({ photoPath: '', photoFailed: true })
})

test('pulled down, the spinner stops when the list is there, not after the receipt downloads', async () => {
  const downloads = []
  wx.downloadFile.mockImplementation((options) => downloads.push(options)) // slow: never answered here
  const page = await openConfirm([FIRST], [FIRST, SECOND])
  await page.onPullDownRefresh()
  expect(wx.stopPullDownRefresh).toHaveBeenCalled()
  expect(page.data.items.map((i) => i.id)).toEqual([1, 2])
  expect(downloads).toHaveLength(1)
})

test('确认 asks first, confirms, and refreshes the list', async () => {
  server.on(CONFIRM, { status: 200, body: offline(1, { status: 'confirmed' }) })
  const page = await openConfirm([FIRST, SECOND], [SECOND])
  await page.confirmItem(tap({ id: 1 }))
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({
      title: '确认收款',
      content: expect.stringMatching(/^1-1-101：转账 ¥50\.66（2026-12-04）/),
    })
  )
  expect(requestsMade(wx)).toContain(CONFIRM)
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已确认' }))
  expect(requestsMade(wx).filter((r) => r === LIST)).toHaveLength(2)
  expect(page.data.items.map((i) => i.id)).toEqual([2])
})

test('saying no to the question confirms nothing', async () => {
  modalAnswers({ confirm: false, cancel: true })
  const page = await openConfirm([FIRST])
  await page.confirmItem(tap({ id: 1 }))
  expect(requestsMade(wx).some((r) => r.endsWith('/confirm'))).toBe(false)
})

test("confirming one's own record: the server's same_person message is shown", async () => {
  const message = '登记人不能确认自己登记的缴费，请另一位业委会成员确认'
  server.on(CONFIRM, { status: 403, body: { code: 'same_person', message } })
  const page = await openConfirm([FIRST])
  await page.confirmItem(tap({ id: 1 }))
  expect(wx.showModal).toHaveBeenLastCalledWith(
    expect.objectContaining({ content: message, showCancel: false })
  )
  expect(wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '已确认' }))
  expect(requestsMade(wx).filter((r) => r === LIST)).toHaveLength(2)
  expect(page.data.busyId).toBe(0)
})

test('驳回 opens the reason dialog for the record; its reason is sent and the list refreshed', async () => {
  server.on(REJECT, { status: 200, body: offline(1, { status: 'rejected' }) })
  const page = await openConfirm([FIRST], [])
  page.rejectItem(tap({ id: 1 }))
  expect(page.data.rejecting).toEqual({ kind: 'cash', id: 1 })
  expect(page.data.rejectHint).toBe('登记人会看到这条理由；驳回后，这些账单恢复为未缴。')
  await page.onReject({ detail: { reason: '金额与收据不符' } })
  expect(sentBody(wx, REJECT)).toEqual({ reason: '金额与收据不符' })
  expect(page.data.rejecting).toBe(null)
  expect(page.data.items).toEqual([])
})

test('closing the reason dialog sends nothing', async () => {
  const page = await openConfirm([FIRST])
  page.rejectItem(tap({ id: 1 }))
  page.onRejectCancel()
  expect(page.data.rejecting).toBe(null)
  expect(requestsMade(wx).some((r) => r.endsWith('/reject'))).toBe(false)
})

test('a liaison is told only the committee confirms, and asks for no list', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  const page = createPage('confirm')
  page.onLoad()
  await page.onShow()
  expect(page.data).toMatchObject({ denied: '只有业委会成员可以确认线下缴费和其他待确认事项。', error: '' })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

// ----- the other changes of money waiting for a second committee member -----

const CHANGES = 'GET /api/v1/compounds/yangguang/pending-changes?status=pending'
const CONFIRM_CHANGE = (id) => `POST /api/v1/compounds/yangguang/pending-changes/${id}/confirm`
const REJECT_CHANGE = (id) => `POST /api/v1/compounds/yangguang/pending-changes/${id}/reject`

const change = (id, kind, details, overrides = {}) =>
  Object.assign(
    {
      id,
      kind,
      status: 'pending',
      summary: '',
      details,
      effective_period: null,
      note: null,
      proposed_by: '李师傅',
      proposed_by_id: 2,
      created_at: '2026-12-05T09:00:00+08:00',
      decided_by: null,
      decided_at: null,
      reason: null,
      mine: false,
    },
    overrides
  )
const FLAG = {
  multiple: 3,
  average_fen: 450,
  ratio: 222.2,
  recent: [
    { period: '2026-11', amount_fen: 450 },
    { period: '2026-10', amount_fen: 450 },
  ],
}
const READING = change(21, 'meter_reading', { unit: '1-2', period: '2026-12', amount_fen: 100000, households: 11, flag: FLAG })
const PLAIN_READING = change(22, 'meter_reading', { unit: '1-3', period: '2026-12', amount_fen: 450, households: 12, flag: null })
const FEE = change(
  23,
  'fee_change',
  { item: 'self_governance', item_name: '自治管理费', kind: 'per_area', from: { rate: '0.3500' }, to: { rate: '0.40' } },
  { effective_period: '2027-01', proposed_by: '张主任', mine: true }
)
const VOID = change(
  24,
  'meter_void',
  { unit: '1-2', period: '2026-11', amount_fen: 45000, bills: 11, paid_households: 2, paid_fen: 8182 },
  { note: '表读错了，实际 4.50 元' }
)
const REFUND = change(25, 'refund', { refunded_fen: 2533, left_fen: 2533 }, { summary: '已退还1-2-301 25.33 元（尚需退还 25.33 元）：现金退还' })

async function openWithChanges(...lists) {
  server.on(CHANGES, ...lists.map((items) => ({ status: 200, body: { items } })))
  return openConfirm([])
}

test('lists readings (with the flag), voids, fee changes (old → new, from when) and refunds', async () => {
  const page = await openWithChanges([READING, VOID, FEE, REFUND])
  const [reading, voided, fee, refund] = page.data.changes
  expect(reading).toMatchObject({
    kindLabel: '电费读数',
    lines: ['1-2单元 2026年12月公用电费 ¥1000.00', '由 11 户分摊'],
    flagged: true,
    flag: '偏高：是近 2 次读数平均（¥4.50）的 222.2 倍',
    flagHistory: '2026年11月 ¥4.50、2026年10月 ¥4.50',
    proposedBy: '李师傅',
    createdAt: '2026-12-05 09:00',
    mine: false,
  })
  expect(voided).toMatchObject({
    kindLabel: '作废电费读数',
    lines: ['作废 1-2单元 2026年11月公用电费 ¥450.00', '已缴的 2 户共 ¥81.82 转为待退款，其余账单取消'],
    note: '表读错了，实际 4.50 元',
  })
  expect(fee).toMatchObject({
    kindLabel: '收费标准调整',
    lines: ['自治管理费', '费率：0.35 元/m²/月 → 0.40 元/m²/月'],
    effective: '自2027年1月账单起',
    mine: true,
  })
  expect(refund).toMatchObject({ kindLabel: '退款登记', lines: ['已退还1-2-301 25.33 元（尚需退还 25.33 元）：现金退还'] })
})

test('确认 on a flagged reading says how high it is and sends that it was checked', async () => {
  server.on(CONFIRM_CHANGE(21), { status: 200, body: Object.assign({}, READING, { status: 'confirmed' }) })
  const page = await openWithChanges([READING, PLAIN_READING], [PLAIN_READING])
  await page.confirmChangeItem(tap({ id: 21 }))
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({
      title: '读数偏高',
      content: expect.stringContaining('偏高：是近 2 次读数平均（¥4.50）的 222.2 倍。请确认已核对读数无误。'),
    })
  )
  expect(sentBody(wx, CONFIRM_CHANGE(21))).toEqual({ acknowledge_flag: true })
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已确认' }))
  expect(page.data.changes.map((c) => c.id)).toEqual([22])
})

test('确认 on an ordinary reading says the bills will be made, and claims no check', async () => {
  server.on(CONFIRM_CHANGE(22), { status: 200, body: PLAIN_READING })
  const page = await openWithChanges([PLAIN_READING])
  await page.confirmChangeItem(tap({ id: 22 }))
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({ title: '确认电费', content: '1-3单元 2026年12月公用电费 ¥4.50，由 12 户分摊。确认后按 12 户分摊出账。' })
  )
  expect(sentBody(wx, CONFIRM_CHANGE(22))).toEqual({ acknowledge_flag: false })
})

test('saying no in the dialog confirms nothing', async () => {
  modalAnswers({ confirm: false, cancel: true })
  const page = await openWithChanges([VOID])
  await page.confirmChangeItem(tap({ id: 24 }))
  expect(requestsMade(wx)).not.toContain(CONFIRM_CHANGE(24))
})

test('my own proposal waits for someone else: no decision is sent', async () => {
  const page = await openWithChanges([FEE])
  await page.confirmChangeItem(tap({ id: 23 }))
  await page.rejectChangeItem(tap({ id: 23 }))
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(requestsMade(wx).some((r) => r.includes('/pending-changes/23/'))).toBe(false)
})

test('驳回 on a change asks the reason in the dialog, tells who sees it, and sends it', async () => {
  server.on(REJECT_CHANGE(24), { status: 200, body: Object.assign({}, VOID, { status: 'rejected' }) })
  const page = await openWithChanges([VOID], [])
  page.rejectChangeItem(tap({ id: 24 }))
  expect(page.data.rejecting).toEqual({ kind: 'change', id: 24 })
  expect(page.data.rejectHint).toBe('提交人会看到这条理由；驳回后，这项变更不会生效。')
  await page.onReject({ detail: { reason: '读数没有错' } })
  expect(sentBody(wx, REJECT_CHANGE(24))).toEqual({ reason: '读数没有错' })
  expect(page.data.changes).toEqual([])
  expect(page.data.empty).toBe(true) // nothing left to confirm at all
})

test('my own change opens no reason dialog', async () => {
  const page = await openWithChanges([FEE])
  page.rejectChangeItem(tap({ id: 23 }))
  expect(page.data.rejecting).toBe(null)
})

test("someone else decided first (409): the server's message in a dialog, the list again", async () => {
  const message = '该事项已由其他委员处理'
  server.on(CONFIRM_CHANGE(25), { status: 409, body: { code: 'change_decided', message } })
  const page = await openWithChanges([REFUND], [])
  await page.confirmChangeItem(tap({ id: 25 }))
  expect(wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ content: message, showCancel: false }))
  expect(page.data).toMatchObject({ changes: [], busyChange: 0 })
})

test('the changes failing to load leave the payments shown and say so', async () => {
  server.on(CHANGES, { status: 500, body: { code: 'internal_error', message: '服务器出了点问题，请稍后再试' } })
  const page = await openConfirm([FIRST])
  expect(page.data.items.map((i) => i.id)).toEqual([1])
  expect(page.data.changesError).toBe('待确认的变更暂时无法读取：服务器出了点问题，请稍后再试')
})
