/**
 * @jest-environment node
 */
const { installWx, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { payment } = require('../helpers/fixtures')

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

test('缴费记录 lists my payments with amount in yuan, status label and times', async () => {
  server.on('GET /api/v1/payments', {
    status: 200,
    body: {
      items: [
        payment({ id: 57, total_fen: 2533, status: 'pending' }),
        payment({ id: 56, status: 'paid', paid_at: '2026-12-05T10:00:09+08:00' }),
        payment({ id: 55, total_fen: 1290, status: 'closed', closed_at: '2026-12-05T10:30:00+08:00' }),
      ],
    },
  })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.items.map((p) => [p.id, p.amount, p.statusLabel, p.paidAt, p.closedAt])).toEqual([
    [57, '25.33', '待支付', '', ''],
    [56, '50.66', '已支付', '2026-12-05 10:00', ''],
    [55, '12.90', '已关闭', '', '2026-12-05 10:30'],
  ])
  expect(page.data.items[0].createdAt).toBe('2026-12-05 10:00')
})

test('shows the server message when the list cannot be read', async () => {
  server.on('GET /api/v1/payments', { fail: 'timeout' })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.error).toBe('网络不给力，请稍后再试')
})

test('a disputed payment reads 金额异常 and says the committee refunds', async () => {
  server.on('GET /api/v1/payments', {
    status: 200,
    body: { items: [payment({ id: 58, status: 'disputed', paid_at: '2026-12-05T10:00:09+08:00' })] },
  })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.items[0]).toMatchObject({
    statusLabel: '金额异常',
    paidAt: '2026-12-05 10:00',
    note: '支付金额与账单不符，业委会将核对并退款，账单已恢复为待缴',
  })
})

test('a cancelled order reads 已取消; one WeChat Pay closes later reads 取消中 with the time', async () => {
  server.on('GET /api/v1/payments', {
    status: 200,
    body: {
      items: [
        payment({ id: 60, status: 'pending', cancelled: true, closes_at: '2026-12-05T10:05:00+08:00' }),
        payment({ id: 59, status: 'closed', cancelled: true, closed_at: '2026-12-05T10:02:00+08:00' }),
        payment({ id: 58, status: 'closed', cancelled: false, closed_at: '2026-12-05T10:30:00+08:00' }),
      ],
    },
  })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.items.map((p) => [p.id, p.statusLabel, p.note])).toEqual([
    [60, '取消中', '10:05 关闭订单，账单随即恢复为待缴'],
    [59, '已取消', ''],
    [58, '已关闭', ''],
  ])
})
