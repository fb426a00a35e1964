/**
 * @jest-environment jsdom
 *
 * 住户登记覆盖 (committee, building leads, liaisons): the totals, each building
 * and each unit: how many households are confirmed and how many still wait for a
 * visit; others are told who may see it; a failure offers 重试.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, within, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, RESIDENT, SUPERVISOR, role } = require('../helpers/fixtures')

const COVERAGE = loadPage('coverage')
const GET = 'GET /api/v1/compounds/yangguang/census/coverage'

const ANSWER = {
  buildings: [
    {
      building: 1,
      households: 12,
      confirmed: 9,
      stale: 3,
      units: [
        { unit: '1-1', unit_id: 4, households: 6, confirmed: 6, stale: 0 },
        { unit: '1-2', unit_id: 5, households: 6, confirmed: 3, stale: 3 },
      ],
    },
  ],
  totals: { households: 12, confirmed: 9, stale: 3 },
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function open(user, ...answers) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(GET, ...answers)
  const page = renderPage(COVERAGE)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('the committee sees the totals, each building and each unit, with what still needs a visit', async () => {
  const page = await open(COMMITTEE, { status: 200, body: ANSWER })
  expect(texts(page, '.totals-line')).toEqual(['已登记 9 户，共 12 户'])
  expect(texts(page, '.totals-stale')).toEqual(['待上门登记或更新 3 户'])
  expect(page.querySelector('.totals .bar-fill').dom.getAttribute('style')).toContain('75%')
  expect(texts(page, '.building-title')).toEqual(['1号楼'])
  expect(texts(page, '.unit-title')).toEqual(['1-1 单元', '1-2 单元'])
  expect(texts(page, '.unit-count')).toEqual(['6/6 户', '3/6 户'])
  expect(texts(page, '.unit-stale')).toEqual(['都已登记', '待上门登记或更新 3 户'])
})

test('a building lead reads the coverage of the building', async () => {
  const lead = { id: 8, nickname: '孙楼长', roles: [role('building_lead', 'building', 1, '1号楼')], households: [] }
  const page = await open(lead, { status: 200, body: ANSWER })
  expect(requestsMade(wx)).toContain(GET)
  expect(texts(page, '.building-title')).toEqual(['1号楼'])
})

test.each([
  ['a resident', RESIDENT],
  ['the supervisor', SUPERVISOR],
])('%s is told who may see it, and the server is not asked', async (_, user) => {
  const page = await open(user, { status: 200, body: ANSWER })
  expect(texts(page, '.denied')).toEqual(['只有单元联络人、楼栋长和业委会成员可以查看住户登记情况。'])
  expect(requestsMade(wx)).not.toContain(GET)
})

test('a failure says why; 重试 shows the coverage', async () => {
  const down = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
  const page = await open(COMMITTEE, down, { status: 200, body: ANSWER })
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  for (let i = 0; i < 50 && !page.querySelector('.totals'); i += 1) await sleep(5)
  expect(texts(page, '.totals-line')).toEqual(['已登记 9 户，共 12 户'])
})

test('a compound without flats says so', async () => {
  const page = await open(COMMITTEE, { status: 200, body: { buildings: [], totals: { households: 0, confirmed: 0, stale: 0 } } })
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['还没有房屋'])
})
