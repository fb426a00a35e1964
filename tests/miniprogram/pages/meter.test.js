/**
 * @jest-environment node
 *
 * 电费录入: a unit's electricity waits for a second committee member before it
 * bills anyone; a committee member asks to void a wrong confirmed reading.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE, LIAISON, RESIDENT, COMPOUND } = require('../helpers/fixtures')

// "Now" is 2026-12-05 in Shanghai: readings up to 2027-01.
const NOW = Date.parse('2026-12-05T02:00:00Z')

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const RECORD = 'POST /api/v1/meter-readings'
const READINGS = (unit) => `GET /api/v1/meter-readings?unit_id=${unit}`
const VOID = (id) => `POST /api/v1/meter-readings/${id}/void`

const reading = (id, overrides = {}) =>
  Object.assign(
    {
      id,
      unit_id: 7,
      unit_label: '1-3',
      period: '2026-11',
      amount_fen: 450,
      status: 'confirmed',
      flag: null,
      entered_by: '李师傅',
      created_at: '2026-11-30T09:00:00+08:00',
      open_change: null,
    },
    overrides
  )
const modalAnswers = (...answers) =>
  answers.forEach((answer) =>
    wx.showModal.mockImplementationOnce((options) => setTimeout(() => options.success(answer), 0))
  )

async function openMeter(user, readings = [reading(1)]) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  for (const unit of [4, 5, 7]) server.on(READINGS(unit), { status: 200, body: { items: readings } })
  const page = createPage('meter')
  await page.onLoad()
  return page
}

test("a liaison enters their own unit's electricity, for this month at the latest next month", async () => {
  const page = await openMeter(LIAISON)
  expect(page.data.units.map((u) => u.name)).toEqual(['1-3单元'])
  expect(page.data).toMatchObject({ month: '2026-12', monthText: '2026年12月', latestMonth: '2027-01', canVoid: false })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', READINGS(7)])
  expect(page.data.readings[0]).toMatchObject({ period: '2026年11月', amount: '4.50', statusLabel: '已确认' })
})

test('the committee picks any unit of its compound and may ask to void', async () => {
  const page = await openMeter(COMMITTEE)
  expect(page.data.units.map((u) => u.name)).toEqual(['1-1单元', '1-2单元', '1-3单元'])
  expect(page.data.canVoid).toBe(true)
})

test('someone who collects nothing is told so', async () => {
  const page = await openMeter(RESIDENT)
  expect(page.data).toMatchObject({ denied: '只有单元联络人和业委会成员可以录入电费。', error: '' })
})

test('提交 asks first, then says it waits for a second committee member and makes no bill yet', async () => {
  const waiting = reading(2, { period: '2026-12', status: 'pending', open_change: { id: 9, kind: 'meter_reading' } })
  server.on(RECORD, { status: 201, body: waiting })
  const page = await openMeter(LIAISON)
  server.on(READINGS(7), { status: 200, body: { items: [waiting, reading(1)] } })
  page.onAmountInput({ detail: { value: '4.5' } })
  await page.submit()
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({
      title: '录入电费',
      content: '1-3单元 2026年12月公用电费 ¥4.50。提交后等待另一位业委会成员确认后才会出账。',
    })
  )
  expect(sentBody(wx, RECORD)).toEqual({ unit_id: 7, period: '2026-12', amount_fen: 450 })
  expect(page.data.notice).toBe('已录入1-3单元 2026年12月公用电费 ¥4.50，等待另一位业委会成员确认后才会出账。')
  expect(page.data.readings[0]).toMatchObject({
    statusLabel: '待确认',
    waiting: '等待另一位业委会成员确认，确认后才出账',
  })
  expect(page.data.amount).toBe('')
})

test('a reading far above the recent ones is accepted, and the notice says the confirmer will check it', async () => {
  const flag = { multiple: 3, average_fen: 450, ratio: 222.2, recent: [{ period: '2026-11', amount_fen: 450 }] }
  server.on(RECORD, { status: 201, body: reading(2, { status: 'pending', amount_fen: 100000, flag }) })
  const page = await openMeter(LIAISON)
  page.onAmountInput({ detail: { value: '1000' } })
  await page.submit()
  expect(page.data.notice).toContain('偏高：是近 1 次读数平均（¥4.50）的 222.2 倍，确认人会再核对。')
})

test('saying no in the dialog sends nothing', async () => {
  modalAnswers({ confirm: false, cancel: true })
  const page = await openMeter(LIAISON)
  page.onAmountInput({ detail: { value: '4.50' } })
  await page.submit()
  expect(requestsMade(wx)).not.toContain(RECORD)
})

test('an amount or month the server would refuse is caught first', async () => {
  const page = await openMeter(LIAISON)
  page.onMonthChange({ detail: { value: '2027-02' } })
  page.onAmountInput({ detail: { value: '4.505' } })
  await page.submit()
  expect(page.data.errors).toEqual({
    period: '最晚只能录入下个月的电费',
    amount_fen: '请填写电费金额（元），最多两位小数',
  })
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(requestsMade(wx)).not.toContain(RECORD)
})

test.each([
  ['amount_out_of_range', '电费金额应在 0.01 到 2000.00 元之间，请核对', 'amount_fen'],
  ['period_too_late', '还没到这个月：电费最晚只能录入下个月（2027年1月）的', 'period'],
  ['reading_exists', '该单元本月电费已录入', 'form'],
])("the server's %s is shown where it belongs", async (code, message, field) => {
  server.on(RECORD, { status: code === 'reading_exists' ? 409 : 400, body: { code, message } })
  const page = await openMeter(LIAISON)
  page.onAmountInput({ detail: { value: '4.50' } })
  await page.submit()
  expect(page.data.errors).toEqual({ [field]: message })
  expect(page.data.submitting).toBe(false)
})

test('申请作废 (committee) opens the reason dialog, sends its reason and reads the list again', async () => {
  server.on(VOID(1), { status: 202, body: { id: 30, kind: 'meter_void', status: 'pending' } })
  const page = await openMeter(COMMITTEE)
  page.voidReading(tap({ id: 1 }))
  expect(page.data.voiding).toBe(1)
  await page.onVoid({ detail: { reason: '表读错了，实际 4.50 元' } })
  expect(page.data.voiding).toBe(0)
  expect(sentBody(wx, VOID(1))).toEqual({ reason: '表读错了，实际 4.50 元' })
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已申请作废' }))
  expect(requestsMade(wx).filter((r) => r === READINGS(4))).toHaveLength(2)
})

test('申请作废 closed, or asked by a liaison, sends nothing', async () => {
  const page = await openMeter(COMMITTEE)
  page.voidReading(tap({ id: 1 }))
  page.onVoidCancel()
  expect(page.data.voiding).toBe(0)
  const liaison = await openMeter(LIAISON)
  liaison.voidReading(tap({ id: 1 }))
  expect(liaison.data.voiding).toBe(0)
  expect(requestsMade(wx).some((r) => r.endsWith('/void'))).toBe(false)
})

test("a void the server refuses (one already waits) is explained in a dialog", async () => {
  const message = '该读数已有待确认的作废申请'
  server.on(VOID(1), { status: 409, body: { code: 'change_pending', message } })
  const page = await openMeter(COMMITTEE)
  page.voidReading(tap({ id: 1 }))
  await page.onVoid({ detail: { reason: '表读错了' } })
  expect(wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ content: message, showCancel: false }))
  expect(page.data.busyId).toBe(0)
})
