/**
 * @jest-environment node
 *
 * 缴费记录 (the resident): under a payment, each refund on its way back or arrived.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { payment } = require('../helpers/fixtures')

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

test('a payment refunded in part shows the refund on its way and the one that arrived, with when', async () => {
  const refunded = payment({
    id: 56,
    status: 'paid',
    paid_at: '2026-12-04T10:00:09+08:00',
    refunded_fen: 1533,
    refunds: [
      { amount_fen: 1000, status: 'processing', sent_at: '2026-12-05T11:00:00+08:00', settled_at: null, received_by: null },
      {
        amount_fen: 1533,
        status: 'success',
        sent_at: '2026-12-04T11:00:00+08:00',
        settled_at: '2026-12-04T11:03:00+08:00',
        received_by: '支付用户零钱',
      },
    ],
  })
  server.on('GET /api/v1/payments', { status: 200, body: { items: [refunded, payment({ id: 55, refunds: [] })] } })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.items.map((p) => [p.id, p.amount, p.refunds])).toEqual([
    [56, '50.66', ['退款 10.00 元 · 退款中', '退款 15.33 元 · 已退回（2026-12-04 11:03，到支付用户零钱）']],
    [55, '50.66', []],
  ])
})

test('an older server without refunds: no refund lines', async () => {
  server.on('GET /api/v1/payments', { status: 200, body: { items: [payment({ status: 'paid' })] } })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.items[0].refunds).toEqual([])
})
