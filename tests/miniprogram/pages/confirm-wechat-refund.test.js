/**
 * @jest-environment node
 *
 * 待确认事项, a refund through WeChat Pay: the second committee member sees whose
 * payment, how much, why and who proposed it, and is told plainly that
 * confirming sends the money back and cannot be taken back.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const CASH = 'GET /api/v1/offline-payments?compound=yangguang&status=pending'
const CHANGES = 'GET /api/v1/compounds/yangguang/pending-changes?status=pending'
const CONFIRM = 'POST /api/v1/compounds/yangguang/pending-changes/40/confirm'

const WECHAT_REFUND = {
  id: 40,
  kind: 'wechat_refund',
  status: 'pending',
  summary: '微信退款 25.33 元给 1-1-101：重复缴费',
  details: { amount_fen: 2533, household: '1-1-101', out_trade_no: 'LL20261205100000A1B2', reason: '重复缴费' },
  effective_period: null,
  note: '重复缴费',
  proposed_by: '张主任',
  proposed_by_id: 2,
  created_at: '2026-12-05T09:00:00+08:00',
  decided_by: null,
  decided_at: null,
  reason: null,
  mine: false,
}

async function open(...lists) {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(CASH, { status: 200, body: { items: [] } })
  server.on(CHANGES, ...lists.map((items) => ({ status: 200, body: { items } })))
  const page = createPage('confirm')
  page.onLoad()
  await page.onShow()
  return page
}

test('shows whose payment, how much, why and who proposed it', async () => {
  const page = await open([WECHAT_REFUND])
  expect(page.data.changes[0]).toMatchObject({
    kindLabel: '微信退款',
    lines: ['通过微信支付退给 1-1-101 25.33 元', '理由：重复缴费'],
    proposedBy: '张主任',
    createdAt: '2026-12-05 09:00',
  })
})

test('details this version does not know: the server summary', async () => {
  const page = await open([Object.assign({}, WECHAT_REFUND, { details: {} })])
  expect(page.data.changes[0].lines).toEqual(['微信退款 25.33 元给 1-1-101：重复缴费'])
})

test('确认 says the money goes back through WeChat Pay and cannot be taken back, then confirms', async () => {
  server.on(CONFIRM, { status: 200, body: Object.assign({}, WECHAT_REFUND, { status: 'confirmed' }) })
  const page = await open([WECHAT_REFUND], [])
  await page.confirmChangeItem(tap({ id: 40 }))
  const asked = wx.showModal.mock.calls[0][0]
  expect(asked).toMatchObject({ title: '微信退款', confirmText: '确认退款', cancelText: '再想想' })
  expect(asked.content).toBe(
    '通过微信支付退给 1-1-101 25.33 元，理由：重复缴费。确认后，钱会立即通过微信支付原路退回给住户，退出后不能撤回。'
  )
  expect(sentBody(wx, CONFIRM)).toEqual({ acknowledge_flag: false })
  expect(page.data.changes).toEqual([])
  // What happens next stays on screen (not a toast that goes by): where the money goes, where to follow it.
  const told = wx.showModal.mock.calls[1][0]
  expect(told).toMatchObject({ title: '已确认退款', showCancel: false })
  expect(told.content).toMatch(/原路退回住户付款时用的微信零钱或银行卡/)
  expect(told.content).toMatch(/退款记录/)
  expect(wx.showToast).not.toHaveBeenCalled()
})

test('再想想 sends nothing', async () => {
  const page = await open([WECHAT_REFUND])
  cancelModal(wx)
  await page.confirmChangeItem(tap({ id: 40 }))
  expect(requestsMade(wx)).not.toContain(CONFIRM)
})
