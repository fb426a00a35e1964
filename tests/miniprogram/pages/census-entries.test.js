/**
 * @jest-environment jsdom
 *
 * Where the census, sweep and personal-information pages are found: the
 * workspace lists 排查, 住户登记覆盖, 查看记录, 走访频率 for the committee (liaisons
 * and leads reach their sweeps and coverage from 我的住户); the home page
 * offers 我家的登记信息 to residents and the access log to the supervisor (who
 * has no workspace). Every entry is a labelled button that opens its page.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { RESIDENT, LIAISON, COMMITTEE, SUPERVISOR, role } = require('../helpers/fixtures')

const WORKSPACE = loadPage('workspace')
const HOME = loadPage('index')
const LEAD = { id: 8, nickname: '孙楼长', roles: [role('building_lead', 'building', 1, '1号楼')], households: [] }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me/subscriptions', { status: 404, body: { code: 'not_found', message: '找不到该内容' } })
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [], next_cursor: null } })
  server.on('GET /api/v1/compounds/yangguang/expenses?waiting_for_me=true', { status: 200, body: { items: [], waiting_for_me: 0 } })
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
})

async function openWorkspace(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(WORKSPACE)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

async function openHome(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(HOME)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

const titles = (page) => texts(page, '.committee-entry .entry-title')

test.each([
  ['the committee', COMMITTEE, ['排查', '住户登记覆盖', '查看记录', '走访频率']],
  ['a building lead', LEAD, []],
  ['a liaison', LIAISON, []],
])('the workspace of %s lists %p', async (_, user, expected) => {
  const page = await openWorkspace(user)
  expect(titles(page)).toEqual(expected)
})

test('each workspace entry is a labelled button opening its page', async () => {
  const page = await openWorkspace(COMMITTEE)
  const entries = page.querySelectorAll('.committee-entry')
  expect(attr(entries[2], 'aria-label')).toBe('查看记录：谁看过住户的电话全号和关爱标记')
  entries.forEach((entry) => entry.dispatchEvent('tap'))
  await sleep(0)
  expect(wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
    '/pages/campaigns/index',
    '/pages/coverage/index',
    '/pages/access-log/index',
    '/pages/care-settings/index',
  ])
})

test('home: a resident finds 我家的登记信息, the supervisor the access log, the committee neither', async () => {
  const resident = await openHome(RESIDENT)
  expect(texts(resident, '.census-entry')[0]).toContain('我家的登记信息')
  resident.querySelector('.census-entry').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/my-household/index' })

  const supervisor = await openHome(SUPERVISOR)
  expect(supervisor.querySelectorAll('.census-entry').map((n) => attr(n, 'aria-label'))).toEqual([
    '个人信息查看记录：谁看过住户的电话全号和关爱标记',
  ])

  const committee = await openHome(COMMITTEE)
  expect(committee.querySelector('.census-entry')).toBeUndefined()
})
