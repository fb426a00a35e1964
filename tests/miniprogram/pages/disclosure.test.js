/**
 * @jest-environment node
 *
 * 月度公示: a month's statement per fund in yuan, receipts, 核对 against the
 * ledger, the supervisor's 审核通过 / 有异议, the committee's 发布 and 生成公示.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, RESIDENT } = require('../helpers/fixtures')

// "Now" is 2026-12-05 in Shanghai.
const NOW = Date.parse('2026-12-05T02:00:00Z')

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.openDocument = jest.fn()
})

afterEach(() => jest.restoreAllMocks())

const DETAIL = 'GET /api/v1/disclosures/3'

const disclosure = (fields) =>
  Object.assign(
    {
      id: 3,
      compound: 'yangguang',
      compound_name: '阳光小区',
      month: '2026-11',
      version: 1,
      title: '2026年11月收支公示',
      status: 'draft',
      status_name: '待审核',
      created_at: '2026-12-01T02:00:00+08:00',
      changes: null,
      objection: null,
      funds: [
        {
          account: 'fee:self_governance',
          name: '自治管理费',
          opening_fen: 5000,
          income: [{ key: 'fees', kind: 'fees', title: '收缴费用', amount_fen: 9433, bills: 4, households: 3 }],
          expenses: [
            {
              key: 'expense:8',
              kind: 'expense',
              title: '更换楼道灯泡',
              amount_fen: 12000,
              category_name: '维修',
              payee: '李师傅五金店',
              receipts: [41, 42],
            },
            { key: 'entry:12', kind: 'correction', title: '更正：误记入的零钱', amount_fen: 100 },
          ],
          income_fen: 9433,
          expense_fen: 12100,
          closing_fen: 2333,
        },
        {
          account: 'suspense:refund_due',
          name: '待退款',
          opening_fen: 0,
          income: [],
          expenses: [],
          income_fen: 0,
          expense_fen: 0,
          closing_fen: 0,
        },
      ],
      collection: { households_billed: 3, households_paid: 2, collection_rate: 0.6667 },
      issues: [{ category: 'repair', name: '维修', reported: 4, resolved: 3 }],
      actions: [],
    },
    fields
  )

async function open(body) {
  server.on(DETAIL, { status: 200, body })
  const page = createPage('disclosure')
  await page.onLoad({ id: '3' })
  return page
}

test('a resident reads each fund: opening, lines, closing, in yuan; empty funds are left out', async () => {
  const page = await open(disclosure({ status: 'published', status_name: '已公示' }))
  const view = page.data.disclosure
  expect(view.title).toBe('2026年11月收支公示')
  expect(view.statusLabel).toBe('已公示')
  expect(view.funds.map((f) => f.name)).toEqual(['自治管理费'])
  const [fund] = view.funds
  expect([fund.opening, fund.incomeTotal, fund.expenseTotal, fund.closing]).toEqual(['50.00', '94.33', '121.00', '23.33'])
  expect(fund.income[0]).toMatchObject({ title: '收缴费用', amount: '94.33', detail: '4 笔账单，3 户' })
  expect(fund.expenses[0]).toMatchObject({
    title: '更换楼道灯泡',
    amount: '120.00',
    detail: '维修 · 收款方：李师傅五金店',
    receiptsText: '票据 2 张，点开看',
  })
  expect(fund.expenses[1].receipts).toEqual([])
  expect(view.collection).toBe('应缴 3 户，已缴 2 户，收缴率 66.7%')
  expect(view.issues).toEqual(['维修：报事 4 件，解决 3 件'])
  expect([view.canSignOff, view.canObject, view.canPublish, view.canCorrect]).toEqual([false, false, false, false])
})

test('tapping a line with receipts shows its photos', async () => {
  server.on('GET /api/v1/uploads/41', { status: 200, file: 'wxfile://tmp/41.jpg' })
  server.on('GET /api/v1/uploads/42', { status: 200, file: 'wxfile://tmp/42.jpg' })
  const page = await open(disclosure({ status: 'published' }))
  await page.openReceipts(tap({ account: 'fee:self_governance', key: 'expense:8' }))
  expect(wx.previewImage).toHaveBeenCalledWith({
    urls: ['wxfile://tmp/41.jpg', 'wxfile://tmp/42.jpg'],
    current: 'wxfile://tmp/41.jpg',
  })
})

test('核对 says 一致, or each line that differs', async () => {
  server.on(
    'GET /api/v1/disclosures/3/verify',
    { status: 200, body: { verified: true, summary: '一致', differences: [] } },
    {
      status: 200,
      body: {
        verified: false,
        summary: '有 2 处不一致',
        differences: [
          { kind: 'chain', seq: 9, message: '账本第 9 笔的内容被改动过' },
          { kind: 'figure', message: '自治管理费·更换楼道灯泡的金额：公示 ¥120.00，账本重算 ¥20.00' },
        ],
      },
    }
  )
  const page = await open(disclosure({ status: 'published' }))
  await page.verify()
  expect(page.data.check).toEqual({ ok: true, summary: '一致：公示的每一个数字都与账本相符', differences: [] })
  await page.verify()
  expect(page.data.check).toEqual({
    ok: false,
    summary: '有 2 处不一致',
    differences: ['账本第 9 笔的内容被改动过', '自治管理费·更换楼道灯泡的金额：公示 ¥120.00，账本重算 ¥20.00'],
  })
})

test('the supervisor signs a draft off after confirming', async () => {
  server.on('POST /api/v1/disclosures/3/sign-off', { status: 200, body: disclosure({ status: 'signed' }) })
  const page = await open(disclosure({ actions: ['sign_off', 'object'] }))
  expect([page.data.disclosure.canSignOff, page.data.disclosure.canObject]).toEqual([true, true])
  cancelModal(wx)
  await page.signOff()
  expect(requestsMade(wx)).not.toContain('POST /api/v1/disclosures/3/sign-off')
  server.on(DETAIL, { status: 200, body: disclosure({ status: 'signed', status_name: '已审核' }) })
  await page.signOff()
  expect(requestsMade(wx)).toContain('POST /api/v1/disclosures/3/sign-off')
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已审核通过', icon: 'success' })
  expect(page.data.disclosure.statusLabel).toBe('已审核')
})

test('the supervisor objects with a reason', async () => {
  server.on('POST /api/v1/disclosures/3/object', { status: 200, body: disclosure({ status: 'objected' }) })
  const page = await open(disclosure({ actions: ['sign_off', 'object'] }))
  page.openObject()
  expect(page.data.dialog).toBe('object')
  expect(page.data.dialogText.title).toBe('有异议')
  await page.onDialogConfirm({ detail: { reason: '修水泵的票据少了一张' } })
  expect(sentBody(wx, 'POST /api/v1/disclosures/3/object')).toEqual({ reason: '修水泵的票据少了一张' })
  expect(page.data.dialog).toBe('')
})

test('the committee publishes only after the warning that every household hears of it', async () => {
  server.on('POST /api/v1/disclosures/3/publish', { status: 200, body: disclosure({ status: 'published' }) })
  const page = await open(disclosure({ status: 'signed', actions: ['publish', 'correct'] }))
  await page.publish()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '发布公示', confirmText: '发布' })
  expect(wx.showModal.mock.calls[0][0].content).toContain('每户都会收到通知')
  expect(requestsMade(wx)).toContain('POST /api/v1/disclosures/3/publish')
})

test('a refused step is told in plain words', async () => {
  server.on('POST /api/v1/disclosures/3/publish', {
    status: 409,
    body: { code: 'bad_status', message: '公示须经财务监督审核通过后才能发布' },
  })
  const page = await open(disclosure({ status: 'signed', actions: ['publish'] }))
  await page.publish()
  const told = wx.showModal.mock.calls[1][0]
  expect([told.title, told.content]).toEqual(['未能完成', '公示须经财务监督审核通过后才能发布'])
  expect(page.data.busy).toBe(false)
})

test('a corrected version names the one it corrects and opens in its place', async () => {
  server.on('POST /api/v1/compounds/yangguang/disclosures', { status: 201, body: disclosure({ id: 4, version: 2 }) })
  const page = await open(disclosure({ status: 'objected', objection: '少了票据', actions: ['correct'] }))
  page.openCorrect()
  await page.onDialogConfirm({ detail: { reason: '补上票据' } })
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/disclosures')).toEqual({
    month: '2026-11',
    corrects: 3,
    changes: '补上票据',
  })
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/disclosure/index?id=4' })
})

test('the printable PDF opens', async () => {
  server.on('GET /api/v1/disclosures/3.pdf', { status: 200, file: 'wxfile://tmp/3.pdf' })
  const page = await open(disclosure({ status: 'published' }))
  await page.openPdf()
  expect(wx.openDocument).toHaveBeenCalledWith({ filePath: 'wxfile://tmp/3.pdf', fileType: 'pdf', showMenu: true })
})

const LIST = 'GET /api/v1/compounds/yangguang/disclosures'

test('without an id: the committee sees the list and makes last month\'s', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(LIST, { status: 200, body: { items: [{ id: 3, title: '2026年10月收支公示', status: 'published', status_name: '已公示' }] } })
  server.on('POST /api/v1/compounds/yangguang/disclosures', { status: 201, body: disclosure({ id: 5 }) })
  const page = createPage('disclosure')
  await page.onLoad({})
  expect(page.data.canCreate).toBe(true)
  expect(page.data.month).toBe('2026-11')
  expect(page.data.items).toEqual([{ id: 3, title: '2026年10月收支公示', status: 'published', statusLabel: '已公示' }])
  page.openItem(tap({ id: 3 }))
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/disclosure/index?id=3' })
  await page.create()
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/disclosures')).toEqual({ month: '2026-11' })
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/disclosure/index?id=5' })
})

test('a month already frozen is told, not made again', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(LIST, { status: 200, body: { items: [] } })
  server.on('POST /api/v1/compounds/yangguang/disclosures', {
    status: 409,
    body: { code: 'disclosure_exists', message: '2026-11 已有公示（第 1 版），如需更正请说明改了什么' },
  })
  const page = createPage('disclosure')
  await page.onLoad({})
  await page.create()
  expect(wx.showModal.mock.calls[1][0].content).toBe('2026-11 已有公示（第 1 版），如需更正请说明改了什么')
  expect(wx.navigateTo).not.toHaveBeenCalled()
})

test('the supervisor and residents see the list but cannot make one; an empty list says so', async () => {
  for (const user of [SUPERVISOR, RESIDENT]) {
    server.on('GET /api/v1/me', { status: 200, body: user })
    server.on(LIST, { status: 200, body: { items: [] } })
    const page = createPage('disclosure')
    await page.onLoad({})
    expect(page.data.canCreate).toBe(false)
    expect(page.data.empty).toBe(true)
  }
})

test('a disclosure that cannot be read shows the error card', async () => {
  server.on(DETAIL, { status: 404, body: { code: 'disclosure_not_found', message: '找不到这份公示' } })
  const page = createPage('disclosure')
  await page.onLoad({ id: '3' })
  expect(page.data.error).toBe('找不到这份公示')
})

test.each([
  [COMMITTEE, true],
  [SUPERVISOR, true],
  [RESIDENT, false],
])('workspace: 月度公示 for the committee and the supervisor, opening the list', async (user, shown) => {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [], next_cursor: null } })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.canSeePeople).toBe(shown) // the entry's wx:if
  page.openDisclosures()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/disclosure/index' })
})

test('a double tap on 生成更正版 makes one corrected version', async () => {
  server.on('POST /api/v1/compounds/yangguang/disclosures', { status: 201, body: disclosure({ id: 4, version: 2 }) })
  const page = await open(disclosure({ status: 'objected', objection: '少了票据', actions: ['correct'] }))
  page.openCorrect()
  await Promise.all([
    page.onDialogConfirm({ detail: { reason: '补上票据' } }),
    page.onDialogConfirm({ detail: { reason: '补上票据' } }),
  ])
  expect(requestsMade(wx).filter((r) => r === 'POST /api/v1/compounds/yangguang/disclosures')).toHaveLength(1)
  expect(wx.redirectTo).toHaveBeenCalledTimes(1)
})
