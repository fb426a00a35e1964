/**
 * @jest-environment node
 *
 * 谁能收到提醒: the committee sees, unit by unit, whether a new issue reaches
 * the liaisons on WeChat or only in the inbox; gaps first.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, LIAISON, role, reachability, volunteer } = require('../helpers/fixtures')

const REACH = 'GET /api/v1/compounds/yangguang/reachability'

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function openReach(user, ...answers) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(REACH, ...answers)
  const page = createPage('reach')
  await page.onLoad()
  return page
}

test('says how many units no push reaches, and why, in plain words', async () => {
  const page = await openReach(COMMITTEE, { status: 200, body: reachability() })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', REACH])
  expect(page.data.reach).toMatchObject({
    headline: '有 2 个单元收不到新报事的微信推送',
    hasGaps: true,
    detail: '其中 1 个单元没有联络人，1 个单元的联络人只能在小程序里看消息。',
    low: '另有 1 个单元的推送次数快用完了。',
    advice: '请联络人打开「工作台」，点「新报事提醒我」：每点一次，可多收到一条新报事提醒。',
  })
})

test('lists the units gaps first, each liaison with how a push reaches them', async () => {
  const page = await openReach(COMMITTEE, { status: 200, body: reachability() })
  const units = page.data.reach.units
  expect(units.map((u) => [u.label, u.statusText, u.gap])).toEqual([
    ['1号楼3单元', '没有单元联络人，新报事只推送给业委会', true],
    ['1号楼2单元', '联络人收不到微信推送，只能打开小程序看「消息」', true],
    ['2号楼1单元', '联络人的推送次数快用完了', false],
    ['1号楼1单元', '联络人能收到新报事推送', false],
  ])
  expect(units.map((u) => u.people.map((p) => [p.name, p.text, p.warn]))).toEqual([
    [],
    [['王大姐', '收不到推送，只能在小程序「消息」里看（还没有登录过小程序）', true]],
    [['赵叔', '还能推送 1 次', false]],
    [['李师傅', '已关注公众号，自动推送', false]],
  ])
})

test('building leads are counted by reminders, the committee by new issues', async () => {
  const page = await openReach(COMMITTEE, { status: 200, body: reachability() })
  expect(page.data.reach.leads).toEqual([
    { key: 'building_lead-31', name: '孙楼长（1号楼）', text: '还能推送 2 次', warn: false },
  ])
  expect(page.data.reach.committee).toEqual([
    { key: 'committee-3', name: '张主任', text: '收不到推送，只能在小程序「消息」里看', warn: true },
  ])
})

test('no gaps: says every unit is covered; a switched-off account is named', async () => {
  const body = reachability({
    counts: { no_liaison: 0, inbox_only: 0, low: 0, ok: 1 },
    official_account_enabled: true,
    units: [
      {
        unit_id: 4,
        label: '1-1',
        status: 'ok',
        liaisons: [volunteer(), volunteer({ user_id: 24, name: '钱阿姨', channel: 'disabled', never_signed_in: true })],
      },
    ],
  })
  const page = await openReach(COMMITTEE, { status: 200, body })
  expect(page.data.reach).toMatchObject({ headline: '每个单元都有联络人能收到新报事的微信推送', hasGaps: false, detail: '', low: '' })
  expect(page.data.reach.advice).toContain('关注小区公众号后，就不用再点了。')
  expect(page.data.reach.units[0].people.map((p) => p.text)).toEqual(['还能推送 3 次', '账号已停用'])
})

test.each([
  ['the supervisor', SUPERVISOR],
  ['a liaison', LIAISON],
])('%s is told it is for the committee, and nothing is asked', async (_, user) => {
  const page = await openReach(user, { status: 200, body: reachability() })
  expect(page.data).toMatchObject({ denied: '只有业委会成员可以查看联络人能否收到提醒。', error: '', reach: null })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test("the server's refusal is shown as it says it", async () => {
  const page = await openReach(COMMITTEE, {
    status: 403,
    body: { code: 'committee_only', message: '只有业委会成员可以查看联络人能否收到提醒' },
  })
  expect(page.data).toMatchObject({ error: '只有业委会成员可以查看联络人能否收到提醒', reach: null })
})

test('a member of two committees picks the compound', async () => {
  const other = Object.assign(role('committee', 'compound', 2, '幸福里'), { compound: 'xingfu', compound_name: '幸福里' })
  const user = Object.assign({}, COMMITTEE, { roles: COMMITTEE.roles.concat(other) })
  server.on('GET /api/v1/compounds/xingfu/reachability', {
    status: 200,
    body: reachability({ compound: 'xingfu', compound_name: '幸福里' }),
  })
  const page = await openReach(user, { status: 200, body: reachability() })
  await page.onCompoundChange({ detail: { value: '1' } })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', REACH, 'GET /api/v1/compounds/xingfu/reachability'])
  expect(page.data.reach.compoundName).toBe('幸福里')
})
