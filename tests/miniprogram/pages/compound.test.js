/**
 * @jest-environment node
 *
 * 小区概况: totals, per building its units with flats, vacant and bound flats
 * and "暂无联络人" flagged, the last import; 导入房屋名册 for the committee only.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, RESIDENT } = require('../helpers/fixtures')

const OVERVIEW = 'GET /api/v1/compounds/yangguang/overview'

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const overview = (extra = {}) =>
  Object.assign(
    {
      code: 'yangguang',
      name: '阳光小区',
      archived: false,
      totals: { buildings: 1, units: 2, households: 7, vacant: 2, bound: 3 },
      buildings: [
        {
          id: 1,
          number: 1,
          name: '1号楼',
          households: 7,
          vacant: 2,
          bound: 3,
          units_without_liaison: 1,
          units: [
            { id: 4, number: 1, households: 4, vacant: 1, bound: 3, liaisons: 1 },
            { id: 5, number: 2, households: 3, vacant: 1, bound: 0, liaisons: 0 },
          ],
        },
      ],
      last_import: {
        id: 2,
        created_at: '2024-12-05T09:30:00+08:00',
        by: '张**',
        filename: 'roster.xlsx',
        rows: 7,
        counts: { households: { create: 7, update: 0 } },
      },
    },
    extra
  )

async function open(user, ...answers) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(OVERVIEW, ...answers)
  const page = createPage('compound')
  page.onLoad()
  await page.onShow()
  return page
}

test('shows the totals, each unit, and flags a unit without a liaison', async () => {
  const page = await open(COMMITTEE, { status: 200, body: overview() })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', OVERVIEW])
  const view = page.data.overview
  expect(view.totals.map((t) => [t.label, t.value])).toEqual([
    ['楼栋', 1],
    ['单元', 2],
    ['房屋（户）', 7],
    ['空置（户）', 2],
    ['已绑定住户（户）', 3],
  ])
  const [building] = view.buildings
  expect([building.name, building.line, building.gaps]).toEqual(['1号楼', '7 户，空置 2 户，已绑定 3 户', '1 个单元暂无联络人'])
  expect(building.units.map((u) => [u.name, u.line, u.noLiaison])).toEqual([
    ['1单元', '4 户 · 空置 1 · 已绑定 3', false],
    ['2单元', '3 户 · 空置 1 · 已绑定 0', true],
  ])
  expect(view.lastImport).toMatch(/^上次导入：.*12月5日 09:30，张\*\*，共 7 行（新增 7 户，更新 0 户）$/)
  expect(page.data.empty).toBe(false)
})

test('the committee gets 导入房屋名册, which opens the roster page for this compound', async () => {
  const page = await open(COMMITTEE, { status: 200, body: overview() })
  expect(page.data.canImport).toBe(true)
  page.goRoster()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/roster/index?compound=yangguang' })
})

test('the supervisor reads the overview but may not import', async () => {
  const page = await open(SUPERVISOR, { status: 200, body: overview() })
  expect(page.data.canImport).toBe(false)
  page.goRoster()
  expect(wx.navigateTo).not.toHaveBeenCalled()
})

test('an archived compound offers no import', async () => {
  const page = await open(COMMITTEE, { status: 200, body: overview({ archived: true }) })
  expect([page.data.overview.archived, page.data.canImport]).toEqual([true, false])
})

test('a compound without flats says so, and that nothing was imported yet', async () => {
  const empty = overview({ buildings: [], last_import: null, totals: { buildings: 0, units: 0, households: 0, vacant: 0, bound: 0 } })
  const page = await open(COMMITTEE, { status: 200, body: empty })
  expect(page.data.empty).toBe(true)
  expect(page.data.overview.lastImport).toBe('还没有导入过房屋名册')
})

test('a resident holds no role for it: said once, without asking the server', async () => {
  const page = await open(RESIDENT)
  expect(page.data.denied).toBe('只有业委会、财务监督、楼栋长和单元联络人可以查看小区概况。')
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test('a failed load shows the error card, and 重试 reads it again', async () => {
  const down = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用，请稍后再试' } }
  const page = await open(COMMITTEE, down, { status: 200, body: overview() })
  expect(page.data.error).toBe('服务暂时不可用，请稍后再试')
  await page.retry()
  expect(page.data.error).toBe('')
  expect(page.data.overview.name).toBe('阳光小区')
})
