/**
 * @jest-environment jsdom
 *
 * 我家的登记信息 (a resident): the household's census record with full phones,
 * its care tags and when it was last confirmed; adding a person only after the
 * notice is ticked; correcting one; 已搬走 and 信息都对 asked first; who viewed
 * the record; the download; erasing asked twice.
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, textsWithin, within, attr, sleep } = require('../helpers/render')
const { RESIDENT, COMMITTEE, HOUSEHOLD } = require('../helpers/fixtures')

const MY_HOUSEHOLD = loadPage('my-household')
const CENSUS = 'GET /api/v1/households/11/census'
const VIEWS = 'GET /api/v1/me/household-views?household_id=11'
const MEMBERS = 'POST /api/v1/households/11/members'

const NOTICE = { kind: 'census', version: 1, title: '住户登记个人信息告知', text: '为了解本户住了谁、谁需要帮助，我们登记住户的称呼……' }

const census = (overrides = {}) =>
  Object.assign(
    {
      household: { id: 11, label: '1-2-301' },
      members: [
        { id: 1, name: '王秀兰', relation: 'owner', age_band: '70_79', phone: '13812345678', phone_masked: '138****5678', uses_wechat: true, bound: true },
        { id: 2, name: '王小明', relation: 'family', age_band: '18_59', phone: null, phone_masked: null, uses_wechat: false, bound: false },
      ],
      tags: ['elderly_alone'],
      occupancy: 'lives_here',
      confirmed_at: '2025-11-01T10:00:00+08:00',
      confirmed_by: '李师傅',
      stale: true,
      moved_out_at: null,
      may: { edit_members: true, edit_tags: false, see_phone: true, move_out: false },
      consent: NOTICE,
    },
    overrides
  )

const VIEWED = { items: [{ at: '2026-12-04T19:20:00+08:00', who: '单元联络人 李*', action_label: '查看电话', reason: '上门走访前联系' }] }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function open({ user = RESIDENT, record = census(), views = { status: 200, body: VIEWED } } = {}) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(CENSUS, { status: 200, body: record })
  server.on(VIEWS, views)
  const page = renderPage(MY_HOUSEHOLD)
  await page.instance.onLoad({})
  await sleep(0)
  return page
}

const value = (v) => ({ detail: { value: v } })
const field = (name, v) => ({ currentTarget: { dataset: { field: name } }, detail: { value: v } })
const member = (id) => ({ currentTarget: { dataset: { id } }, detail: {} })

test('the record: each person with relation, age band, WeChat and full phone; tags; when confirmed; who viewed it', async () => {
  const page = await open()
  expect(texts(page, '.record-title')).toEqual(['1-2-301 登记的住户'])
  expect(texts(page, '.member-name')).toEqual(['王秀兰 业主', '王小明 家属'])
  expect(texts(page, '.member-phone')).toEqual(['电话 13812345678'])
  expect(texts(page, '.member-line')[0]).toBe('70–79岁 · 用微信 · 已绑定小程序')
  expect(texts(page, '.tags .text-body')).toEqual(['独居老人'])
  expect(texts(page, '.record .muted')[0]).toBe('在住 · 上次确认：2025-11-01 10:00（李师傅）')
  expect(texts(page, '.stale')).toEqual(['登记已经很久没有核对了，请看看是否都对。'])
  expect(texts(page, '.view-who')).toEqual(['单元联络人 李*'])
  expect(texts(page, '.view-line .text-body')).toEqual(['查看电话：上门走访前联系'])
  expect(texts(page, '.notice-title')).toEqual(['住户登记个人信息告知'])
  expect(page.querySelector('.notice-text')).toBeUndefined()
  page.querySelector('.notice-head').dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.notice-text')).toEqual([NOTICE.text])
})

test('without a household: what to do, and 绑定房屋', async () => {
  const page = await open({ user: COMMITTEE })
  expect(texts(page, '.no-household .text-body')).toEqual(['您还没有绑定房屋。绑定后，可以在这里查看和更正本户的登记信息。'])
  expect(requestsMade(wx)).not.toContain(CENSUS)
  page.querySelector('.bind').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' })
})

test('a new person is saved only after the notice is ticked, with consent sent', async () => {
  server.on(MEMBERS, { status: 201, body: { id: 3 } })
  const page = await open()
  page.querySelector('.add').dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.notice-text')).toEqual([NOTICE.text])
  page.instance.onInput(field('name', ' 王大爷 '))
  page.instance.onRelation(value(0))
  page.instance.onAgeBand(value(4))
  page.instance.onInput(field('phone', '139 1234 5678'))
  await page.instance.saveMember()
  await sleep(0)
  expect(texts(page, '.form .error-text')).toEqual(['请先阅读上面的告知，并勾选同意'])
  expect(requestsMade(wx)).not.toContain(MEMBERS)
  page.querySelector('.agree').dispatchEvent('tap')
  await sleep(0)
  await page.instance.saveMember()
  expect(sentBody(wx, MEMBERS)).toEqual({ name: '王大爷', relation: 'owner', age_band: '80_plus', phone: '13912345678', uses_wechat: false, consent: true })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已添加', icon: 'success' })
  expect(page.instance.data.form).toBeNull()
  expect(requestsMade(wx).filter((r) => r === CENSUS)).toHaveLength(2)
})

test('the form says what is missing; the server refusing the phone is said under it', async () => {
  server.on(MEMBERS, { status: 400, body: { code: 'bad_phone', message: '电话号码不对：手机号是 11 位数字，座机请带区号' } })
  const page = await open()
  page.instance.openAdd()
  page.instance.onInput(field('phone', '12345'))
  await page.instance.saveMember()
  expect(page.instance.data.errors).toEqual({
    name: '请填写称呼',
    relation: '请选择与本户的关系',
    age_band: '请选择年龄段',
    phone: '电话号码不对：手机号是 11 位数字，座机请带区号',
    consent: '请先阅读上面的告知，并勾选同意',
  })
  page.instance.onInput(field('name', '王大爷'))
  page.instance.onRelation(value(2))
  page.instance.onAgeBand(value(3))
  page.instance.onInput(field('phone', '010-12345678'))
  page.instance.toggleAgreed()
  await page.instance.saveMember()
  expect(sentBody(wx, MEMBERS).phone).toBe('010-12345678')
  expect(page.instance.data.errors).toEqual({ phone: '电话号码不对：手机号是 11 位数字，座机请带区号' })
  expect(page.instance.data.form).not.toBeNull()
})

// A number typed with spaces, as people read it out ("0571 8888 8888"), is
// taken by the server (up to 20 characters, spaces dropped): the box is not
// cut at 13 while it is typed.
test('the phone box takes a landline typed with spaces', async () => {
  const page = await open()
  page.instance.openAdd()
  await sleep(0)
  expect(String(attr(page.querySelector('.phone-input'), 'maxlength'))).toBe('20')
})

test('更正 starts from the person as recorded; an empty phone box leaves the number', async () => {
  server.on('PATCH /api/v1/households/11/members/1', { status: 200, body: { id: 1 } })
  const page = await open()
  page.instance.openEdit(member(1))
  await sleep(0)
  expect(page.instance.data.form).toMatchObject({ mode: 'edit', name: '王秀兰', relationIndex: 0, ageBandIndex: 3, phone: '', phoneHint: '现在是 13812345678，不改就空着', usesWechat: true })
  expect(page.querySelector('.agree')).toBeUndefined()
  page.instance.onInput(field('name', '王秀兰阿姨'))
  await page.instance.saveMember()
  expect(sentBody(wx, 'PATCH /api/v1/households/11/members/1')).toEqual({ name: '王秀兰阿姨', relation: 'owner', age_band: '70_79', uses_wechat: true })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已更正', icon: 'success' })
})

test('已搬走 is asked first: 没有 sends nothing, 搬走了 removes the person', async () => {
  server.on('DELETE /api/v1/households/11/members/2', { status: 200, body: {} })
  const page = await open()
  cancelModal(wx)
  await page.instance.moveOut(member(2))
  expect(requestsMade(wx)).not.toContain('DELETE /api/v1/households/11/members/2')
  await page.instance.moveOut(member(2))
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '已经搬走了？', confirmText: '搬走了', cancelText: '没有' })
  expect(wx.showModal.mock.calls[1][0].content).toMatch(/^王小明 不再住在这里了吗？/)
  expect(requestsMade(wx)).toContain('DELETE /api/v1/households/11/members/2')
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已更新', icon: 'success' })
})

test('信息都对 is asked, then the record shows the new confirmation', async () => {
  server.on('POST /api/v1/households/11/confirm', {
    status: 200,
    body: census({ confirmed_at: '2026-12-05T10:00:00+08:00', confirmed_by: '王秀兰', stale: false }),
  })
  const page = await open()
  await page.instance.confirmRecord()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '信息都对吗？', confirmText: '都对' })
  expect(sentBody(wx, 'POST /api/v1/households/11/confirm')).toEqual({})
  await sleep(0)
  expect(texts(page, '.record .muted')[0]).toBe('在住 · 上次确认：2026-12-05 10:00（王秀兰）')
  expect(page.querySelector('.stale')).toBeUndefined()
})

test('下载本户信息 downloads the workbook and opens it', async () => {
  wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
  const page = await open()
  server.on('GET /api/v1/me/household-data?household_id=11&format=xlsx', { status: 200, file: 'wxfile://tmp/household.xlsx' })
  await page.instance.download()
  expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://tmp/household.xlsx', fileType: 'xlsx' }))
  expect(page.instance.data.busy).toBe('')
})

test('erasing is asked twice; 不删 at either question sends nothing', async () => {
  const ERASE = 'POST /api/v1/me/household-data/erasure'
  server.on(ERASE, { status: 200, body: {} })
  const page = await open()
  cancelModal(wx)
  await page.instance.erase()
  wx.showModal
    .mockImplementationOnce((o) => setTimeout(() => o.success({ confirm: true }), 0))
    .mockImplementationOnce((o) => setTimeout(() => o.success({ confirm: false, cancel: true }), 0))
  await page.instance.erase()
  expect(requestsMade(wx)).not.toContain(ERASE)
  await page.instance.erase()
  const asked = wx.showModal.mock.calls.map(([o]) => o.title)
  expect(asked).toEqual(['删除本户登记信息', '删除本户登记信息', '再确认一次', '删除本户登记信息', '再确认一次'])
  expect(wx.showModal.mock.calls[4][0]).toMatchObject({ content: '删除后不能恢复，单元联络人会收到通知。确定删除吗？', confirmText: '删除', cancelText: '不删' })
  expect(sentBody(wx, ERASE)).toEqual({ household_id: 11, confirm: true })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已删除', icon: 'success' })
})

test('who viewed it may fail on its own: the record stays, 重试 reads it', async () => {
  const down = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
  const page = await open({ views: down })
  expect(texts(page, '.member-name')).toHaveLength(2)
  expect(textsWithin(page, '.views-error', '.error-card-text')).toEqual(['服务暂时不可用'])
  server.on(VIEWS, { status: 200, body: { items: [] } })
  within(page, '.views-error', '.retry').dispatchEvent('tap')
  for (let i = 0; i < 50 && !page.querySelector('.no-views'); i += 1) await sleep(5)
  expect(texts(page, '.no-views')).toEqual(['还没有人查看过本户的电话全号或关爱标记。'])
})

test('a record the server refuses shows why with 重试', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(CENSUS, { status: 403, body: { code: 'census_forbidden', message: '您不能查看这一户的登记信息' } })
  const page = renderPage(MY_HOUSEHOLD)
  await page.instance.onLoad({ household_id: String(HOUSEHOLD.id) })
  await sleep(0)
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['您不能查看这一户的登记信息'])
})

test('with two flats the link picks one, and the picker changes to the other', async () => {
  const second = Object.assign({}, HOUSEHOLD, { id: 12, label: '1-3-402' })
  server.on('GET /api/v1/me', { status: 200, body: Object.assign({}, RESIDENT, { households: [HOUSEHOLD, second] }) })
  server.on('GET /api/v1/households/12/census', { status: 200, body: census({ household: { id: 12, label: '1-3-402' } }) })
  server.on('GET /api/v1/me/household-views?household_id=12', { status: 200, body: { items: [] } })
  server.on(CENSUS, { status: 200, body: census() })
  server.on(VIEWS, { status: 200, body: VIEWED })
  const page = renderPage(MY_HOUSEHOLD)
  await page.instance.onLoad({ household_id: '12' })
  await sleep(0)
  expect(texts(page, '.household-picker')).toEqual(['阳光小区 1-3-402 ▾'])
  expect(texts(page, '.record-title')).toEqual(['1-3-402 登记的住户'])
  await page.instance.onHouseholdChange(value(0))
  await sleep(0)
  expect(texts(page, '.record-title')).toEqual(['1-2-301 登记的住户'])
  expect(texts(page, '.view-who')).toEqual(['单元联络人 李*'])
})

// GET /me/household-views answers a page at a time (next_cursor): a
// household whose liaison reads it often has more than one page, and the
// resident reaches the older ones.
test('who viewed it, older ones after 看更早的记录', async () => {
  const older = { at: '2026-11-01T09:00:00+08:00', who: '业委会 张*', action_label: '查看关爱标记', reason: null }
  server.on(`${VIEWS}&cursor=NTA`, { status: 200, body: { items: [older], next_cursor: null } })
  const page = await open({ views: { status: 200, body: Object.assign({ next_cursor: 'NTA' }, VIEWED) } })
  expect(texts(page, '.view-who')).toEqual(['单元联络人 李*'])
  expect(texts(page, '.more-views')).toEqual(['看更早的记录'])
  await page.instance.moreViews()
  await sleep(0)
  expect(texts(page, '.view-who')).toEqual(['单元联络人 李*', '业委会 张*'])
  expect(texts(page, '.more-views')).toEqual([])
})
