/**
 * @jest-environment jsdom
 *
 * 待确认事项 rendered: a failed load and 重试, nothing waiting, someone not on
 * the committee, what a screen reader says of each button and the receipt,
 * and 驳回 asking its reason in the shared dialog. (The list itself:
 * render-fees.test.js; the changes' own error: render-retry.test.js.)
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON } = require('../helpers/fixtures')

const CONFIRM = loadPage('confirm')
const PAYMENTS = 'GET /api/v1/offline-payments?compound=yangguang&status=pending'
const CHANGES = 'GET /api/v1/compounds/yangguang/pending-changes?status=pending'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

const cash = {
  id: 1,
  household_id: 21,
  household_label: '1-1-101',
  method: 'cash',
  amount_fen: 5066,
  paid_on: '2026-12-04',
  receipt_photo: 91,
  note: null,
  status: 'pending',
  recorded_by_id: 2,
  decided_by_id: null,
  reason: null,
  created_at: '2026-12-05T10:00:00+08:00',
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/uploads/91', { status: 200, file: 'wxfile://receipt-91.jpg' })
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open(user = COMMITTEE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(CONFIRM)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('a failed load says why, and 重试 shows what waits', async () => {
  server.on(PAYMENTS, DOWN, { status: 200, body: { items: [cash] } })
  server.on(CHANGES, { status: 200, body: { items: [] } })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => texts(page, '.household').length)
  expect(texts(page, '.household')).toEqual(['1-1-101'])
  expect(page.querySelector('.error')).toBeUndefined()
})

test('nothing waiting: one empty state says what comes here', async () => {
  server.on(PAYMENTS, { status: 200, body: { items: [] } })
  server.on(CHANGES, { status: 200, body: { items: [] } })
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['没有等您确认的事项'])
  expect(page.querySelector('.section-title')).toBeUndefined()
})

test('a liaison is told the page is the committee\'s, and nothing is listed', async () => {
  const page = await open(LIAISON)
  expect(texts(page, '.denied')).toEqual(['只有业委会成员可以确认线下缴费和其他待确认事项。'])
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test('buttons and the receipt say whose money they are about', async () => {
  server.on(PAYMENTS, { status: 200, body: { items: [cash] } })
  server.on(CHANGES, { status: 200, body: { items: [] } })
  const page = await open()
  await waitFor(() => page.querySelector('.receipt-image'))
  expect(attr(page.querySelector('.cash-reject'), 'aria-label')).toBe('驳回 1-1-101 的现金 50.66 元')
  expect(attr(page.querySelector('.cash-confirm'), 'aria-label')).toBe('确认收到 1-1-101 的现金 50.66 元')
  const receipt = page.querySelector('.receipt-image')
  expect(attr(receipt, 'aria-role')).toBe('button')
  expect(attr(receipt, 'aria-label')).toBe('放大看 1-1-101 的收据照片')
  receipt.dispatchEvent('tap')
  await sleep(0)
  expect(wx.previewImage).toHaveBeenCalledWith({ urls: ['wxfile://receipt-91.jpg'], current: 'wxfile://receipt-91.jpg' })
})

test('驳回 asks the reason in the dialog, says who sees it, and sends it', async () => {
  server.on(PAYMENTS, { status: 200, body: { items: [cash] } }, { status: 200, body: { items: [] } })
  server.on(CHANGES, { status: 200, body: { items: [] } })
  server.on('POST /api/v1/offline-payments/1/reject', { status: 200, body: Object.assign({}, cash, { status: 'rejected' }) })
  const page = await open()
  page.querySelector('.cash-reject').dispatchEvent('tap')
  await sleep(0)
  expect(textsWithin(page, '.reject-dialog', '.dialog-hint')).toEqual(['登记人会看到这条理由；驳回后，这些账单恢复为未缴。'])
  within(page, '.reject-dialog', '.dialog-input').dispatchEvent('input', { detail: { value: '金额与收据不符' } })
  await sleep(0)
  within(page, '.reject-dialog', '.dialog-confirm').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.nothing'))
  expect(sentBody(wx, 'POST /api/v1/offline-payments/1/reject')).toEqual({ reason: '金额与收据不符' })
})
