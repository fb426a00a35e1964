/**
 * @jest-environment node
 *
 * 人员与角色: the committee sees everyone by role, appoints by invite (a big
 * code and its QR), voids an invite and takes a role away with a reason,
 * asked once more; the supervisor only reads.
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, LIAISON, COMPOUND } = require('../helpers/fixtures')
const { todayInShanghai } = require('../../../miniprogram/utils/format')
const { longDate } = require('../../../miniprogram/utils/people')

const BASE = '/api/v1/compounds/yangguang'
const PEOPLE = `GET ${BASE}/people`
const INVITES = `GET ${BASE}/role-invites`

const person = (fields) =>
  Object.assign(
    {
      membership_id: 1,
      user_id: 10,
      name: '张主任',
      role: 'committee',
      role_label: '业委会委员',
      scope_label: '小区',
      title: '业委会委员',
      since: '2026-03-01T09:00:00+08:00',
      term_start: '2026-03-01',
      term_end: '2031-02-28',
      due_for_reelection: false,
      reachable: true,
      channel: 'subscribe',
      phone: null,
    },
    fields
  )

const PEOPLE_BODY = {
  items: [
    person(),
    person({ membership_id: 2, user_id: 11, name: '钱委员', term_end: '2027-01-10', due_for_reelection: true, reachable: false, channel: 'inbox' }),
    person({ membership_id: 5, user_id: 20, name: '李师傅', role: 'liaison', role_label: '单元联络人', scope_label: '1号楼2单元', title: '1号楼2单元联络人', term_start: null, term_end: null, phone: '138****5678' }),
    person({ membership_id: 8, user_id: 30, name: '赵会计', role: 'supervisor', role_label: '财务监督', title: '财务监督', term_start: null, term_end: null }),
  ],
  open_invites: 1,
  committee_due: 1,
}

const INVITE = {
  id: 4,
  role: 'liaison',
  role_label: '单元联络人',
  scope_label: '1号楼3单元',
  title: '1号楼3单元联络人',
  name: '孙阿姨',
  term_end: null,
  created_at: '2026-12-01T09:00:00+08:00',
  expires_at: '2026-12-08T09:00:00+08:00',
  created_by: '张主任',
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function openPeople(user = COMMITTEE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(PEOPLE, { status: 200, body: PEOPLE_BODY })
  server.on(INVITES, { status: 200, body: { items: [INVITE] } })
  server.on(`GET ${BASE}`, { status: 200, body: COMPOUND })
  const page = createPage('people')
  await page.onLoad()
  return page
}

test('everyone by role, with place, since, term, 即将换届 and whether a push reaches them', async () => {
  const page = await openPeople()
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', PEOPLE, INVITES])
  const groups = page.data.groups
  expect(groups.map((g) => [g.title, g.people.map((p) => p.name)])).toEqual([
    ['业委会委员', ['张主任', '钱委员']],
    ['单元联络人', ['李师傅']],
    ['财务监督', ['赵会计']],
  ])
  expect(groups[0].people[1]).toMatchObject({
    title: '业委会委员',
    since: '2026年3月1日起',
    term: '任期 2026年3月1日 至 2027年1月10日',
    due: true,
    reachText: '收不到推送',
  })
  expect(groups[1].people[0]).toMatchObject({ title: '1号楼2单元联络人', reachText: '可推送', phone: '138****5678', term: '' })
  expect(page.data.committeeDue).toBe(1)
  // The year is spelled out only when it is not this one.
  expect(page.data.invites).toEqual([
    { id: 4, title: '1号楼3单元联络人', name: '孙阿姨', named: true, expires: expect.stringMatching(/^(2026年)?12月8日 09:00 前有效$/) },
  ])
  expect(page.data.canAppoint).toBe(true)
})

test('the supervisor reads the list but neither invites nor removes', async () => {
  const page = await openPeople(SUPERVISOR)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', PEOPLE])
  expect(page.data.canAppoint).toBe(false)
  expect(page.data.invites).toEqual([])
})

test('a liaison is told the page is not theirs, with nothing to retry', async () => {
  const page = await openPeople(LIAISON)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
  expect(page.data.denied).toBe('只有业委会成员和财务监督可以查看人员与角色。')
  expect(page.data.empty).toBe(false)
})

test('新增任命: a liaison needs a unit; the code comes back big with its QR', async () => {
  const page = await openPeople()
  await page.openAppoint()
  expect(page.data.appointing).toBe(true)
  await page.submitInvite()
  expect(page.data.formError).toBe('请选择要任命的职务')
  page.onRolePick({ detail: { value: 1 } }) // 单元联络人
  expect(page.data.scope).toBe('unit')
  expect(page.data.places.map((p) => p.label)).toEqual(['1号楼1单元', '1号楼2单元', '1号楼3单元'])
  await page.submitInvite()
  expect(page.data.formError).toBe('请选择哪个单元')
  page.onPlacePick({ detail: { value: 2 } })
  page.onNameInput({ detail: { value: ' 孙阿姨 ' } })
  server.on(`POST ${BASE}/role-invites`, {
    status: 201,
    body: Object.assign({}, INVITE, { code: 'ABCD-2345', qr: 'data:image/png;base64,iVBOR' }),
  })
  await page.submitInvite()
  expect(sentBody(wx, `POST ${BASE}/role-invites`)).toEqual({ role: 'liaison', unit: '1-3', name: '孙阿姨' })
  expect(page.data.issued).toEqual({
    code: 'ABCD-2345',
    qr: 'data:image/png;base64,iVBOR',
    title: '1号楼3单元联络人',
    name: '孙阿姨',
    expires: expect.stringMatching(/^(2026年)?12月8日 09:00 前有效，只能用一次$/),
    howTo: "请对方在邻里首页点'我有任命邀请码'，扫码或输入邀请码",
  })
  page.closeAppoint()
  expect(page.data.issued).toBe(null)
})

test('a committee invite needs no place; a refusal is shown in the form', async () => {
  const page = await openPeople()
  await page.openAppoint()
  page.onRolePick({ detail: { value: 0 } })
  expect(page.data.scope).toBe(null)
  server.on(`POST ${BASE}/role-invites`, { status: 409, body: { code: 'compound_archived', message: '本小区已归档，只能查看' } })
  await page.submitInvite()
  expect(sentBody(wx, `POST ${BASE}/role-invites`)).toEqual({ role: 'committee' })
  expect(page.data.formError).toBe('本小区已归档，只能查看')
  expect(page.data.issued).toBe(null)
})

test('免去 asks for a reason, then once more, and sends it', async () => {
  const page = await openPeople()
  page.askRevoke(tap({ id: 5 }))
  expect(page.data.revoking).toMatchObject({ name: '李师傅', title: '1号楼2单元联络人' })
  cancelModal(wx)
  await page.onRevoke({ detail: { reason: '已搬离小区' } })
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '免去李师傅？', confirmText: '免去', cancelText: '不免去' })
  expect(requestsMade(wx)).not.toContain(`POST ${BASE}/memberships/5/revoke`)

  server.on(`POST ${BASE}/memberships/5/revoke`, { status: 200, body: PEOPLE_BODY.items[2] })
  await page.onRevoke({ detail: { reason: '已搬离小区' } })
  expect(sentBody(wx, `POST ${BASE}/memberships/5/revoke`)).toEqual({ reason: '已搬离小区' })
  expect(page.data.revoking).toBe(null)
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已免去', icon: 'success' })
})

test('the last committee member cannot be removed: the server says why', async () => {
  const page = await openPeople()
  page.askRevoke(tap({ id: 1 }))
  server.on(`POST ${BASE}/memberships/1/revoke`, {
    status: 409,
    body: { code: 'last_committee', message: '这是本小区最后一位业委会委员，不能免去。请先任命新的委员' },
  })
  await page.onRevoke({ detail: { reason: '换届' } })
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '没有免去',
    content: '这是本小区最后一位业委会委员，不能免去。请先任命新的委员',
    showCancel: false,
  })
  expect(page.data.revoking).toMatchObject({ name: '张主任' })
  expect(page.data.busy).toBe(false)
})

test('作废 asks first, then voids the invite', async () => {
  const page = await openPeople()
  server.on(`POST ${BASE}/role-invites/4/revoke`, { status: 200, body: INVITE })
  cancelModal(wx)
  await page.voidInvite(tap({ id: 4 }))
  expect(requestsMade(wx)).not.toContain(`POST ${BASE}/role-invites/4/revoke`)
  await page.voidInvite(tap({ id: 4 }))
  expect(requestsMade(wx)).toContain(`POST ${BASE}/role-invites/4/revoke`)
  expect(wx.showModal.mock.calls[1][0].content).toBe('作废后，给 孙阿姨 的「1号楼3单元联络人」邀请码就不能用了。')
})

test('作废 refused (already taken up): a dialog says why', async () => {
  const page = await openPeople()
  server.on(`POST ${BASE}/role-invites/4/revoke`, {
    status: 409,
    body: { code: 'invite_used', message: '这份任命邀请已被领取，不能作废；如需免去，请在人员列表里操作' },
  })
  await page.voidInvite(tap({ id: 4 }))
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '没有作废',
    content: '这份任命邀请已被领取，不能作废；如需免去，请在人员列表里操作',
    showCancel: false,
  })
  expect(page.data.busy).toBe(false)
})

test('an invite without a name is voided as 这份 invite, not as one for 未写名字', async () => {
  const page = await openPeople()
  server.on(INVITES, { status: 200, body: { items: [Object.assign({}, INVITE, { name: null })] } })
  await page.refresh()
  expect(page.data.invites[0].name).toBe('未写名字')
  cancelModal(wx)
  await page.voidInvite(tap({ id: 4 }))
  expect(wx.showModal.mock.calls[0][0].content).toBe('作废后，这份「1号楼3单元联络人」邀请码就不能用了。')
})

test('新增任命 whose units cannot be read closes the form and says why', async () => {
  const page = await openPeople()
  server.on('GET /api/v1/compounds/yangguang', { fail: 'timeout' })
  await page.openAppoint()
  expect(page.data.appointing).toBe(false)
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }))
})

test('任免记录 is one tap away', async () => {
  const page = await openPeople()
  page.openAudit()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/audit/index' })
})

test('设定任期: checked here first, asked once more, then sent; a refusal stays in the form', async () => {
  // Dates from today (the suite also runs with the clock years ahead).
  const today = todayInShanghai()
  const year = Number(today.slice(0, 4))
  const end = `${year + 5}-01-15`
  const page = await openPeople()
  page.askTerm(tap({ id: 2 }))
  expect(page.data.terming).toMatchObject({ id: 2, name: '钱委员', start: '2026-03-01', end: '2027-01-10' })
  page.onTermStart({ detail: { value: today } })
  page.onTermEnd({ detail: { value: `${year - 1}-01-15` } })
  await page.saveTerm()
  expect(page.data.terming.error).toBe('结束日期要在开始日期之后')
  expect(wx.showModal).not.toHaveBeenCalled()

  page.onTermEnd({ detail: { value: end } })
  expect(page.data.terming.error).toBe('')
  cancelModal(wx)
  await page.saveTerm()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '设定任期？',
    content: `钱委员的任期：${longDate(today)} 至 ${year + 5}年1月15日。`,
  })
  expect(requestsMade(wx)).not.toContain(`PATCH ${BASE}/memberships/2/term`)

  server.on(`PATCH ${BASE}/memberships/2/term`, { status: 400, body: { code: 'bad_term', message: '任期结束日期已经过去，请核对' } })
  await page.saveTerm()
  expect(page.data.terming.error).toBe('任期结束日期已经过去，请核对')

  server.on(`PATCH ${BASE}/memberships/2/term`, { status: 200, body: PEOPLE_BODY.items[1] })
  await page.saveTerm()
  expect(sentBody(wx, `PATCH ${BASE}/memberships/2/term`)).toEqual({ term_start: today, term_end: end })
  expect(page.data.terming).toBe(null)
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存', icon: 'success' })
})

test('a term already over is caught before asking', async () => {
  const page = await openPeople()
  page.askTerm(tap({ id: 2 }))
  page.onTermStart({ detail: { value: '2000-01-01' } })
  page.onTermEnd({ detail: { value: '2000-06-01' } })
  await page.saveTerm()
  expect(page.data.terming.error).toBe('结束日期已经过去，请核对')
  expect(wx.showModal).not.toHaveBeenCalled()
})

test('a long list comes 50 at a time: 显示更多 adds the next page to the groups, the heads count everyone', async () => {
  const [first, second, liaison, supervisor] = PEOPLE_BODY.items
  const page1 = { items: [first, second], total: 4, counts: { committee: 2, liaison: 1, supervisor: 1 }, next_cursor: '2', open_invites: 1, committee_due: 1 }
  const page2 = Object.assign({}, page1, { items: [liaison, supervisor], next_cursor: null })
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(PEOPLE, { status: 200, body: page1 })
  server.on(`${PEOPLE}?cursor=2`, { status: 200, body: page2 })
  server.on(INVITES, { status: 200, body: { items: [] } })
  const page = createPage('people')
  await page.onLoad()
  expect(page.data.groups.map((g) => [g.title, g.count, g.people.length])).toEqual([['业委会委员', 2, 2]])
  expect(page.data.nextCursor).toBe('2')
  expect(page.data.moreText).toBe('再显示 2 位（还有 2 位没显示）')

  await page.loadMore()
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', PEOPLE, INVITES, `${PEOPLE}?cursor=2`])
  expect(page.data.groups.map((g) => [g.title, g.people.map((p) => p.name)])).toEqual([
    ['业委会委员', ['张主任', '钱委员']],
    ['单元联络人', ['李师傅']],
    ['财务监督', ['赵会计']],
  ])
  expect(page.data.nextCursor).toBe(null)
  expect(page.data.moreText).toBe('')

  // Reading it again (after 免去, or pulling down) starts from the first page.
  await page.refresh()
  expect(page.data.people.map((p) => p.name)).toEqual(['张主任', '钱委员'])
  expect(page.data.nextCursor).toBe('2')
})

test('a next page that fails says so with 重试, keeping what is shown', async () => {
  const page1 = Object.assign({}, PEOPLE_BODY, { items: PEOPLE_BODY.items.slice(0, 2), total: 4, next_cursor: '2' })
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(PEOPLE, { status: 200, body: page1 })
  server.on(`${PEOPLE}?cursor=2`, { fail: 'timeout' }, { status: 200, body: Object.assign({}, PEOPLE_BODY, { items: PEOPLE_BODY.items.slice(2), total: 4, next_cursor: null }) })
  server.on(INVITES, { status: 200, body: { items: [] } })
  const page = createPage('people')
  await page.onLoad()
  await page.loadMore()
  expect(page.data.moreError).toBeTruthy()
  expect(page.data.people).toHaveLength(2)
  await page.loadMore()
  expect(page.data.moreError).toBe('')
  expect(page.data.people).toHaveLength(4)
})
