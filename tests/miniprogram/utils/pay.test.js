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
  jest.isolateModules(() => (pay = require(path.join(ROOT, 'utils/pay.js'))))
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
