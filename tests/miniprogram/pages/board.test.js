/**
 * @jest-environment node
 *
 * 公示栏: announcements (urgent first), funds, the collection rate and what was
 * resolved this month, for every member of the compound; and the home page's
 * 公示栏 card with the newest urgent notice.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { RESIDENT, COMMITTEE } = require('../helpers/fixtures')

const NOW = Date.parse('2026-12-05T02:00:00Z')
const BOARD = 'GET /api/v1/compounds/yangguang/board'

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const notice = (id, title, extra = {}) =>
  Object.assign(
    {
      id,
      title,
      urgent: false,
      audience: 'compound',
      audience_label: '全小区',
      pinned: false,
      pinned_until: null,
      created_at: '2026-12-04T09:30:00+08:00',
      read: false,
      withdrawn: false,
      excerpt: '详见公告',
    },
    extra
  )

const ANSWER = {
  announcements: [notice(3, '周六大扫除', { pinned: true, read: true }), notice(2, '明天停水', { urgent: true })],
  latest_disclosure: { id: 4, month: '2026-11', published_at: '2026-12-01T10:00:00+08:00' },
  funds: [
    { account: 'fee:self_governance', name: '自治管理费', balance_fen: 1234567, income_fen_month: 2533, spent_fen_month: 100 },
    { account: 'fund:co_construction', name: '共建基金', balance_fen: 0, income_fen_month: 0, spent_fen_month: 0 },
  ],
  collection_rate: { month: '2026-12', households_billed: 6, households_paid: 1, collection_rate: 0.1667 },
  resolved_this_month: [{ category: 'repair', category_label: '报修', count: 2 }],
  resolved_total: 2,
}

async function openBoard(user = RESIDENT, answer = { status: 200, body: ANSWER }) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(BOARD, answer)
  const page = createPage('board')
  await page.onShow()
  return page
}

test('urgent notices come first, then the rest as the server ordered them', async () => {
  const page = await openBoard()
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', BOARD])
  expect(page.data.announcements.map((a) => [a.title, a.urgent, a.pinned, a.read])).toEqual([
    ['明天停水', true, false, false],
    ['周六大扫除', false, true, true],
  ])
  expect(page.data.announcements[0].label).toBe('紧急明天停水，全小区，12月4日 09:30，未读')
  page.openNotice(tap({ id: 2 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=2' })
})

test('funds in yuan, the rate as a percentage with counts, resolved this month, the disclosure line', async () => {
  const page = await openBoard()
  expect(page.data.funds[0]).toEqual({
    account: 'fee:self_governance',
    name: '自治管理费',
    balance: '12345.67',
    income: '25.33',
    spent: '1.00',
  })
  expect(page.data.rate).toEqual({ month: '2026年12月', rate: '16.7%', billed: 6, paid: 1 })
  expect(page.data.resolved).toEqual([{ key: 'repair', text: '报修 2 件' }])
  expect(page.data.resolvedTotal).toBe(2)
  expect(page.data.disclosure).toBe('2026年11月收支公示已发布（12月1日 10:00）')
})

test('no disclosure yet: no line; nothing billed: the rate reads —', async () => {
  const body = Object.assign({}, ANSWER, {
    latest_disclosure: null,
    collection_rate: { month: '2026-12', households_billed: 0, households_paid: 0, collection_rate: null },
  })
  const page = await openBoard(COMMITTEE, { status: 200, body })
  expect(page.data.disclosure).toBe('')
  expect(page.data.rate.rate).toBe('—')
})

test('someone in no compound is told how to get a board; a failure shows the error card', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 9, roles: [], households: [] } })
  const lone = createPage('board')
  await lone.onShow()
  expect(lone.data.denied).toBe('绑定房屋或担任小区职务后，就能看到小区的公示栏。')
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])

  const page = await openBoard(RESIDENT, { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } })
  expect(page.data.error).toBe('服务暂时不可用')
})

describe('the home page', () => {
  test('a resident gets the 公示栏 card and the newest urgent notice', async () => {
    server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
    server.on(BOARD, { status: 200, body: ANSWER })
    const page = createPage('index')
    await page.onShow()
    expect(page.data.hasBoard).toBe(true)
    expect(page.data.urgentNotice).toMatchObject({ id: 2, title: '明天停水' })
    page.goBoard()
    page.goNotice(tap({ id: 2 }))
    expect(wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual(['/pages/board/index', '/pages/notice/index?id=2'])
  })

  test('no urgent notice: the card alone; the board failing leaves the card', async () => {
    server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
    server.on(BOARD, { status: 200, body: Object.assign({}, ANSWER, { announcements: [notice(1, '普通')] }) })
    const page = createPage('index')
    await page.onShow()
    expect(page.data).toMatchObject({ hasBoard: true, urgentNotice: null })

    server.on(BOARD, { fail: 'timeout' })
    await page.onShow()
    expect(page.data).toMatchObject({ loaded: true, error: '', hasBoard: true, urgentNotice: null })
  })
})
