/**
 * @jest-environment jsdom
 *
 * 谁能收到提醒 rendered: who may not see it is told so once, a compound
 * without units says so, the compound picker is named for a screen reader.
 * (The list itself: render-push.test.js; a failed load: render-retry.test.js.)
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON, role, reachability } = require('../helpers/fixtures')

const REACH = loadPage('reach')

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

async function openReach(user, answer) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/compounds/yangguang/reachability', answer)
  const page = renderPage(REACH)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('someone not on the committee is told so, with nothing to retry', async () => {
  const page = await openReach(LIAISON, { status: 200, body: reachability() })
  expect(texts(page, '.denied')).toEqual(['只有业委会成员可以查看联络人能否收到提醒。'])
  expect(page.querySelector('.error')).toBeUndefined()
  expect(page.querySelector('.headline')).toBeUndefined()
})

test('a compound without units says so instead of an empty list', async () => {
  const body = reachability({ counts: {}, units: [], building_leads: [], committee: [] })
  const page = await openReach(COMMITTEE, { status: 200, body })
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['这个小区还没有登记楼栋和单元'])
  expect(page.querySelector('.headline')).toBeUndefined()
})

test('a member of two committees has a named compound picker', async () => {
  const other = Object.assign(role('committee', 'compound', 2, '幸福里'), { compound: 'xingfu', compound_name: '幸福里' })
  const user = Object.assign({}, COMMITTEE, { roles: COMMITTEE.roles.concat(other) })
  const page = await openReach(user, { status: 200, body: reachability() })
  const picker = page.querySelector('.picker')
  expect(attr(picker, 'aria-role')).toBe('button')
  expect(attr(picker, 'aria-label')).toBe('换一个小区：现在看的是 阳光小区')
  expect(texts(page, '.headline')).toEqual(['有 2 个单元收不到新报事的微信推送'])
})
