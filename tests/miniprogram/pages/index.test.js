/**
 * @jest-environment node
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')

const HOUSEHOLD = {
  id: 11,
  compound: 'yangguang',
  compound_name: '阳光小区',
  building: 1,
  unit: 1,
  room: '101',
  floor: 1,
  area_m2: '85.20',
  occupancy: 'owner_occupied',
  relation: 'owner',
  label: '1-1-101',
}
const role = (name, scope, scopeId, label) => ({
  role: name,
  scope,
  scope_id: scopeId,
  compound: 'yangguang',
  compound_name: '阳光小区',
  label,
})
const RESIDENT = role('resident', 'household', 11, '1-1-101')
const LIAISON = role('liaison', 'unit', 3, '1-1')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

test('shows the compound, my households with area, and my roles', async () => {
  server.on('GET /api/v1/me', {
    status: 200,
    body: { id: 1, roles: [RESIDENT], households: [HOUSEHOLD] },
  })
  const page = createPage('index')
  await page.onShow()
  expect(page.data.compounds).toEqual(['阳光小区'])
  expect(page.data.households).toEqual([
    { id: 11, label: '1-1-101', compoundName: '阳光小区', detail: '85.20 m² · 业主' },
  ])
  expect(page.data.roles.map((r) => r.text)).toEqual(['住户 · 1-1-101'])
  expect(page.data.hasHousehold).toBe(true)
  expect(page.data.canReview).toBe(false)
  expect(wx.login).not.toHaveBeenCalled() // a valid token is reused
})

test('without a household it offers the binding entry', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [], households: [] } })
  const page = createPage('index')
  await page.onShow()
  expect(page.data.hasHousehold).toBe(false)
  expect(page.data.loaded).toBe(true)
  page.goBind()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' })
})

test('a unit liaison gets the review entry', async () => {
  server.on('GET /api/v1/me', {
    status: 200,
    body: { id: 1, roles: [LIAISON, RESIDENT], households: [HOUSEHOLD] },
  })
  const page = createPage('index')
  await page.onShow()
  expect(page.data.canReview).toBe(true)
  expect(page.data.roles.map((r) => r.text)).toContain('单元联络人 · 1-1')
  page.goReview()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/review/index' })
})

test('first visit signs in before asking who I am', async () => {
  const fresh = installWx()
  fresh.server.on('POST /api/v1/auth/login', {
    status: 200,
    body: { token: 't', expires_in: 7200, user: { id: 1, roles: [], households: [] } },
  })
  fresh.server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [], households: [] } })
  const page = createPage('index')
  await page.onShow()
  expect(requestsMade(fresh.wx)).toEqual(['POST /api/v1/auth/login', 'GET /api/v1/me'])
})

test('shows the server message when loading fails', async () => {
  server.on('GET /api/v1/me', {
    status: 503,
    body: { code: 'database_unavailable', message: '服务暂时不可用，请稍后再试' },
  })
  const page = createPage('index')
  await page.onShow()
  expect(page.data.error).toBe('服务暂时不可用，请稍后再试')
})

describe('issue entries', () => {
  const BUILDING_LEAD = role('building_lead', 'building', 2, '1')

  test('a resident gets 我要报事, 我的报事 and 消息 with the unread count, but no 工作台', async () => {
    server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [RESIDENT], households: [HOUSEHOLD] } })
    server.on('GET /api/v1/me/notifications?limit=1', {
      status: 200,
      body: { items: [], unread: 3, next_before: null },
    })
    const page = createPage('index')
    await page.onShow()
    expect(page.data).toMatchObject({ canReport: true, canHandle: false, unread: 3 })
    page.goReport()
    page.goIssues()
    page.goInbox()
    // 报事 and 消息 are tab pages: WeChat only reaches those with switchTab.
    expect(wx.switchTab.mock.calls.map(([o]) => o.url)).toEqual(['/pages/report/index', '/pages/inbox/index'])
    expect(wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual(['/pages/issues/index'])
  })

  test.each([
    ['a unit liaison', LIAISON],
    ['a building lead', BUILDING_LEAD],
    ['a committee member', role('committee', 'compound', 1, '阳光小区')],
  ])('%s gets 工作台', async (_, handler) => {
    server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [handler], households: [] } })
    const page = createPage('index')
    await page.onShow()
    expect(page.data.canHandle).toBe(true)
    page.goWorkspace()
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/workspace/index' })
  })

  test('the unread count failing leaves the home page working', async () => {
    server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [RESIDENT], households: [HOUSEHOLD] } })
    server.on('GET /api/v1/me/notifications?limit=1', { fail: 'timeout' })
    const page = createPage('index')
    await page.onShow()
    expect(page.data).toMatchObject({ loaded: true, error: '', unread: 0, canReport: true })
  })

  test('someone not yet bound sees no issue entries and is not asked for messages', async () => {
    server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [], households: [] } })
    const page = createPage('index')
    await page.onShow()
    expect(page.data.canReport).toBe(false)
    expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
  })
})

describe('fee entries', () => {
  const COMMITTEE = role('committee', 'compound', 1, '阳光小区')
  const SUPERVISOR = role('supervisor', 'compound', 1, '阳光小区')
  const FLAGS = ['canPay', 'canCollect', 'canConfirm', 'canSeeCollection', 'canSeeReach']

  test.each([
    ['a resident', ['canPay'], [RESIDENT], [HOUSEHOLD]],
    ['a unit liaison without a flat here', ['canCollect'], [LIAISON], []],
    ['a committee member', ['canCollect', 'canConfirm', 'canSeeCollection', 'canSeeReach'], [COMMITTEE], []],
    ['the supervisor', ['canSeeCollection'], [SUPERVISOR], []],
    ['a liaison who lives here', ['canPay', 'canCollect'], [LIAISON, RESIDENT], [HOUSEHOLD]],
    ['someone not yet bound', [], [], []],
  ])('%s gets exactly %j', async (_, granted, roles, households) => {
    server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles, households } })
    const page = createPage('index')
    await page.onShow()
    expect(FLAGS.filter((flag) => page.data[flag])).toEqual(granted)
  })

  test('each entry opens its page', () => {
    const page = createPage('index')
    page.goBills()
    page.goCollect()
    page.goConfirm()
    page.goCollection()
    page.goReach()
    expect(wx.switchTab.mock.calls.map(([o]) => o.url)).toEqual(['/pages/bills/index'])
    expect(wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
      '/pages/collect/index',
      '/pages/confirm/index',
      '/pages/collection/index',
      '/pages/reach/index',
    ])
  })
})

// A tab page: WeChat runs onLoad once, later visits are onShow only.
test('shown again after binding (onShow only), the new flat is there', async () => {
  server.on(
    'GET /api/v1/me',
    { status: 200, body: { id: 1, roles: [], households: [] } },
    { status: 200, body: { id: 1, roles: [RESIDENT], households: [HOUSEHOLD] } }
  )
  server.on('GET /api/v1/me/notifications', { status: 200, body: { items: [], unread: 0, next_before: null } })
  const page = createPage('index')
  await page.onShow()
  expect(page.data.hasHousehold).toBe(false)
  await page.onShow()
  expect(page.data.hasHousehold).toBe(true)
  expect(page.data.households.map((h) => h.label)).toEqual(['1-1-101'])
})
