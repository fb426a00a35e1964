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
  expect(page.data.items[0]).toMatchObject({ photoPath: '', photoFailed: true })
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

test('驳回 sends the typed reason and refreshes the list', async () => {
  server.on(REJECT, { status: 200, body: offline(1, { status: 'rejected' }) })
  modalAnswers({ confirm: true, content: ' 金额与收据不符 ' })
  const page = await openConfirm([FIRST], [])
  await page.rejectItem(tap({ id: 1 }))
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ editable: true }))
  expect(sentBody(wx, REJECT)).toEqual({ reason: '金额与收据不符' })
  expect(page.data.items).toEqual([])
})

test('驳回 with an empty reason asks for one and sends nothing', async () => {
  modalAnswers({ confirm: true, content: '   ' })
  const page = await openConfirm([FIRST])
  await page.rejectItem(tap({ id: 1 }))
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请填写驳回理由' }))
  expect(requestsMade(wx).some((r) => r.endsWith('/reject'))).toBe(false)
})

test('dismissing the reason dialog sends nothing', async () => {
  modalAnswers({ confirm: false, cancel: true })
  const page = await openConfirm([FIRST])
  await page.rejectItem(tap({ id: 1 }))
  expect(requestsMade(wx).some((r) => r.endsWith('/reject'))).toBe(false)
})

test('a liaison is told only the committee confirms, and asks for no list', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  const page = createPage('confirm')
  page.onLoad()
  await page.onShow()
  expect(page.data.error).toBe('只有业委会成员可以确认线下缴费')
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})
