/**
 * @jest-environment node
 *
 * 收缴情况: a month's collection figures for the committee and the supervisor.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, RESIDENT } = require('../helpers/fixtures')

// "Now" is 2026-12-05 in Shanghai.
const NOW = Date.parse('2026-12-05T02:00:00Z')

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const SUMMARY = 'GET /api/v1/fees/summary?compound=yangguang&period=2026-12'

const tally = (billed, paid, rate, billedFen, collectedFen) => ({
  households_billed: billed,
  households_paid: paid,
  collection_rate: rate,
  billed_fen: billedFen,
  collected_fen: collectedFen,
})

const FIGURES = Object.assign(tally(3, 2, 0.6667, 7599, 5066), {
  period: '2026-12',
  by_building: [Object.assign({ building: 1 }, tally(3, 2, 0.6667, 7599, 5066))],
  by_unit: [
    Object.assign({ building: 1, unit: 1, label: '1-1' }, tally(1, 1, 1, 2533, 2533)),
    Object.assign({ building: 1, unit: 2, label: '1-2' }, tally(2, 1, 0.5, 5066, 2533)),
  ],
})

async function openCollection(user, body = FIGURES) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(SUMMARY, { status: 200, body })
  const page = createPage('collection')
  await page.onLoad()
  return page
}

test("shows this month's figures: households, the rate with one decimal, money in yuan", async () => {
  const page = await openCollection(COMMITTEE)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', SUMMARY])
  expect(page.data.summary).toMatchObject({
    period: '2026年12月',
    householdsBilled: 3,
    householdsPaid: 2,
    rate: '66.7%',
    billed: '75.99',
    collected: '50.66',
  })
  expect(page.data.summary.buildings).toEqual([
    {
      key: 'b1',
      label: '1号楼',
      householdsBilled: 3,
      householdsPaid: 2,
      rate: '66.7%',
      billed: '75.99',
      collected: '50.66',
    },
  ])
})

test('lists every unit with its own figures', async () => {
  const page = await openCollection(SUPERVISOR)
  const rows = page.data.summary.units.map((u) => [
    u.label,
    u.householdsPaid,
    u.householdsBilled,
    u.rate,
    u.collected,
    u.billed,
  ])
  expect(rows).toEqual([
    ['1号楼1单元', 1, 1, '100.0%', '25.33', '25.33'],
    ['1号楼2单元', 1, 2, '50.0%', '25.33', '50.66'],
  ])
})

test('a month without bills has no rate', async () => {
  const empty = Object.assign(tally(0, 0, null, 0, 0), { period: '2026-12', by_building: [], by_unit: [] })
  const page = await openCollection(COMMITTEE, empty)
  expect(page.data.summary).toMatchObject({ rate: '—', billed: '0.00', units: [] })
})

test('another month asks for that month', async () => {
  const page = await openCollection(COMMITTEE)
  server.on('GET /api/v1/fees/summary?compound=yangguang&period=2026-11', {
    status: 200,
    body: Object.assign({}, FIGURES, { period: '2026-11' }),
  })
  await page.onMonthChange({ detail: { value: '2026-11' } })
  expect(page.data.monthText).toBe('2026年11月')
  expect(page.data.summary.period).toBe('2026年11月')
})

test("the server's refusal is shown", async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(SUMMARY, { status: 403, body: { code: 'committee_only', message: '只有业委会和财务监督可以查看收缴情况' } })
  const page = createPage('collection')
  await page.onLoad()
  expect(page.data).toMatchObject({ error: '只有业委会和财务监督可以查看收缴情况', summary: null })
})

test('a resident asks for no figures', async () => {
  const page = await openCollection(RESIDENT)
  expect(page.data.error).toBe('只有业委会和财务监督可以查看收缴情况')
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})
