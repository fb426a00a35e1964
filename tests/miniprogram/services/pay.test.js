/**
 * @jest-environment node
 *
 * After wx.requestPayment, the server's answer decides what the resident is told.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, signedIn } = require('../helpers/wx')
const { payment } = require('../helpers/fixtures')

let server, pay

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
  jest.isolateModules(() => (pay = require(path.join(ROOT, 'services/pay.js'))))
})

const STATUS = 'GET /api/v1/payments/55'

test('a disputed payment ends the polling at once, as disputed', async () => {
  server.on(STATUS, { status: 200, body: payment({ status: 'disputed', paid_at: '2026-12-05T10:00:09+08:00' }) })
  const answer = await pay.waitForPayment(55, { attempts: 3, interval: 0 })
  expect(answer.status).toBe('disputed')
  expect(requestsMade(global.wx)).toEqual([STATUS])
  expect(pay.paymentOutcome(answer)).toBe('disputed')
  expect(pay.PAY_MESSAGES.disputed).toBe('支付金额与账单不符，业委会将核对并退款，账单已恢复为待缴')
})

test.each([
  [{ status: 'paid' }, 'paid'],
  [{ status: 'closed' }, 'closed'],
  [{ status: 'disputed' }, 'disputed'],
  [{ status: 'pending' }, 'pending'],
  // A status this version does not know, or no answer: still being confirmed, never a success.
  [{ status: 'refunded' }, 'pending'],
  [null, 'pending'],
])('%p reads as %s', (answer, outcome) => {
  expect(pay.paymentOutcome(answer)).toBe(outcome)
  expect(pay.PAY_MESSAGES[outcome]).toBeTruthy()
})

test('what cancelling came to: closed now, or the time WeChat Pay closes it', () => {
  expect(pay.cancelledMessage(payment({ status: 'closed', cancelled: true }))).toBe(
    '订单已取消，账单已恢复为待缴，可以重新选择账单缴费'
  )
  expect(
    pay.cancelledMessage(payment({ status: 'pending', cancelled: true, closes_at: '2026-12-05T10:05:00+08:00' }))
  ).toContain('10:05 后账单恢复为待缴')
})

test.each([
  [{ status: 409, body: { code: 'payment_already_paid', message: '已入账' } }, 'paid'],
  [{ status: 409, body: { code: 'payment_in_progress', message: '正在支付中' } }, 'pending'],
  [{ status: 503, body: { code: 'pay_unavailable', message: '稍后再试' } }, 'cancelled'],
])('cancelling after the sheet closed, the server answering %p, reads as %s', async (answer, state) => {
  server.on('POST /api/v1/payments/55/cancel', answer)
  const after = await pay.cancelAfterSheet(55)
  expect(after.state).toBe(state)
  expect(after.message).toBe(pay.PAY_MESSAGES[state])
})
