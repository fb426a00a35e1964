/**
 * @jest-environment jsdom
 *
 * 住户登记 (pages/household) on the doorstep: the members with the phone in full
 * for the unit's liaison (masked for a building lead, no tags when the server
 * leaves them out), a new person saved only once the consent notice has been
 * read out and ticked, a member corrected or moved out (asked first), the care
 * tags, 信息无误 and 整户搬走 (asked first), and the server's refusals shown.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const HOUSEHOLD = loadPage('household')
const CENSUS_URL = 'GET /api/v1/households/11/census'

const NOTICE = {
  kind: 'census',
  version: 1,
  title: '住户登记个人信息告知',
  text: '为了解本户住了谁、谁需要帮助，我们登记住户的称呼、与本户的关系、年龄段、联系电话。',
}

function census(extra = {}) {
  return Object.assign(
    {
      household: { id: 11, label: '1-2-301' },
      members: [
        { id: 1, name: '王秀兰', relation: 'owner', age_band: '80_plus', phone: '13812345678', phone_masked: '138****5678', uses_wechat: false, bound: false },
        { id: 2, name: '李建国', relation: 'family', age_band: '60_69', phone: null, phone_masked: null, uses_wechat: true, bound: true },
      ],
      tags: ['elderly_alone'],
      occupancy: 'lives_here',
      confirmed_at: null,
      confirmed_by: null,
      stale: true,
      moved_out_at: null,
      may: { edit_members: true, edit_tags: true, see_phone: true, move_out: true },
      consent: NOTICE,
    },
    extra
  )
}

// A lead's view: phones masked, the tags left out by the server.
const LEAD_VIEW = census({
  members: [{ id: 1, name: '王秀兰', relation: 'owner', age_band: '80_plus', phone: '138****5678', phone_masked: '138****5678', uses_wechat: false, bound: false }],
  may: { edit_members: true, edit_tags: false, see_phone: false, move_out: false },
})
delete LEAD_VIEW.tags

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.makePhoneCall = jest.fn()
  server.on(CENSUS_URL, { status: 200, body: census() })
})

async function open(options = { id: '11' }) {
  const page = createPage('household')
  await page.onLoad(options)
  return page
}

const field = (name, value) => ({ currentTarget: { dataset: { field: name } }, detail: { value } })

function fillNewMember(page, { phone = '139 1234 5678' } = {}) {
  page.openAdd()
  page.onFormInput(field('name', '王小明'))
  page.pickRelation(tap({ value: 'tenant' }))
  page.pickAgeBand(tap({ value: '18_59' }))
  page.onFormInput(field('phone', phone))
  page.onWechat({ detail: { value: true } })
}

describe('rendered', () => {
  async function render(body) {
    server.on(CENSUS_URL, { status: 200, body })
    const page = renderPage(HOUSEHOLD)
    await page.instance.onLoad({ id: '11' })
    await sleep(0)
    return page
  }

  test('the liaison sees who lives there, the full phone to call, the tags and what is missing', async () => {
    const page = await render(census())
    expect(texts(page, '.page-title')).toEqual(['1-2-301'])
    expect(texts(page, '.head-line')).toEqual(['在住 · 还没有登记确认过'])
    expect(texts(page, '.stale')).toEqual(['请和住户一起登记一遍'])
    expect(texts(page, '.member-name')).toEqual(['王秀兰', '李建国'])
    expect(texts(page, '.member-phone')).toEqual(['电话 13812345678'])
    expect(page.querySelectorAll('.call')).toHaveLength(1)
    expect(attr(page.querySelector('.call'), 'aria-label')).toBe('拨打王秀兰的电话')
    expect(texts(page, '.tag')).toEqual(['✓ 独居老人', '残疾', '生活困难', '需定期走访', '党员中心户'])
    expect(page.querySelector('.move-out')).toBeDefined()
  })

  test('a building lead sees the phone masked, no call button and no tags', async () => {
    const page = await render(LEAD_VIEW)
    expect(texts(page, '.member-phone')).toEqual(['电话 138****5678'])
    expect(page.querySelector('.call')).toBeUndefined()
    expect(page.querySelector('.tags')).toBeUndefined()
    expect(page.querySelector('.move-out')).toBeUndefined()
  })

  // What the server gives a building lead (census/access.py): phones masked,
  // the tags to see and set, but 整户搬离 is the unit's liaison's or the
  // committee's (403 move_out_forbidden), so it is not offered.
  test('a building lead as the server answers: tags to set, no 整户搬走', async () => {
    const page = await render(census({
      members: [{ id: 1, name: '王秀兰', relation: 'owner', age_band: '80_plus', phone: '138****5678', phone_masked: '138****5678', uses_wechat: false, bound: false }],
      may: { edit_members: true, edit_tags: true, see_phone: false, move_out: false },
    }))
    expect(texts(page, '.tag')).toEqual(['✓ 独居老人', '残疾', '生活困难', '需定期走访', '党员中心户'])
    expect(page.querySelector('.move-out')).toBeUndefined()
  })

  // After 整户搬走 the flat is empty until someone new moves in: they are
  // registered here (the server's add brings the flat back to 在住).
  test('a flat whose household moved out offers to register the people who moved in', async () => {
    const page = await render(census({ members: [], tags: [], occupancy: 'vacant', moved_out_at: '2026-01-05T10:00:00+08:00', stale: true }))
    expect(texts(page, '.moved')[0]).toContain('已整户搬走')
    expect(texts(page, '.moved-in-hint')).toEqual(['有新住户搬进来了？先添加一位住户，再核实登记。'])
    expect(texts(page, '.add')).toEqual(['添加一位住户'])
  })

  test('adding a person shows the consent notice to read out, with its tick box', async () => {
    const page = await render(census())
    page.querySelector('.add').dispatchEvent('tap')
    await sleep(0)
    expect(texts(page, '.consent-title')).toEqual(['住户登记个人信息告知'])
    expect(texts(page, '.consent-text')).toEqual([NOTICE.text])
    expect(texts(page, '.consent-check-text')).toEqual(['已向住户说明并征得同意'])
    expect(texts(page, '.member-form .label')).toEqual(['称呼', '与本户的关系', '年龄段', '电话（选填）'])
  })
})

test('the census is read once, with the reason it was opened for', async () => {
  server.on('GET /api/v1/households/11/census?reason=%E5%85%B3%E7%88%B1%E8%B5%B0%E8%AE%BF', { status: 200, body: census() })
  await open({ id: '11', reason: encodeURIComponent('关爱走访') })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/households/11/census?reason=%E5%85%B3%E7%88%B1%E8%B5%B0%E8%AE%BF'])
})

test('someone the household is not theirs to see is told so, with 重试', async () => {
  server.on(CENSUS_URL, { status: 403, body: { code: 'census_forbidden', message: '只有本户和负责的志愿者能看本户登记' } })
  const page = await open()
  expect(page.data.error).toBe('只有本户和负责的志愿者能看本户登记')
})

test('a new person is not saved until the notice is ticked; then it is sent with consent', async () => {
  server.on('POST /api/v1/households/11/members', {
    status: 201,
    body: { id: 3, name: '王小明', relation: 'tenant', age_band: '18_59', phone: '13912345678', phone_masked: '139****5678', uses_wechat: true, bound: false },
  })
  const page = await open()
  fillNewMember(page)
  await page.saveMember()
  expect(page.data.formErrors).toEqual({ consent: '请先把告知念给住户听，住户同意后勾选' })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/households/11/members')

  page.onConsent({ detail: { value: ['yes'] } })
  await page.saveMember()
  expect(sentBody(wx, 'POST /api/v1/households/11/members')).toEqual({
    name: '王小明',
    relation: 'tenant',
    age_band: '18_59',
    phone: '13912345678',
    uses_wechat: true,
    consent: true,
  })
  expect(page.data.record.members.map((m) => m.name)).toEqual(['王秀兰', '李建国', '王小明'])
  expect(page.data.form.open).toBe(false)
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存', icon: 'success' })
})

test('a wrong phone, no name or no age band is said under the field, nothing sent', async () => {
  const page = await open()
  page.openAdd()
  page.onFormInput(field('phone', '12345'))
  page.onConsent({ detail: { value: ['yes'] } })
  await page.saveMember()
  expect(page.data.formErrors).toEqual({
    name: '请填写称呼，如 王秀兰 或 王奶奶',
    relation: '请选择与本户的关系',
    age_band: '请选择年龄段',
    phone: '电话号码不对：手机号是 11 位数字，座机请带区号',
  })
  expect(page.data.formError).toBe('请按提示改好再保存')
  expect(requestsMade(wx)).toEqual([CENSUS_URL])
})

test('the server refusing the phone or the consent says so under it', async () => {
  server.on(
    'POST /api/v1/households/11/members',
    { status: 400, body: { code: 'bad_phone', message: '电话号码不对：手机号是 11 位数字，座机请带区号' } },
    { status: 400, body: { code: 'consent_required', message: '请先征得住户同意' } },
    { status: 409, body: { code: 'compound_archived', message: '小区已归档，不能修改' } }
  )
  const page = await open()
  fillNewMember(page, { phone: '0351-1234567' })
  page.onConsent({ detail: { value: ['yes'] } })
  await page.saveMember()
  expect(page.data.formErrors).toEqual({ phone: '电话号码不对：手机号是 11 位数字，座机请带区号' })
  await page.saveMember()
  expect(page.data.formErrors).toEqual({ consent: '请先征得住户同意' })
  await page.saveMember()
  expect(page.data.formErrors).toEqual({})
  expect(page.data.formError).toBe('小区已归档，不能修改')
  expect(page.data.saving).toBe(false)
})

test('correcting a member whose phone is masked leaves the phone out unless typed again', async () => {
  server.on(CENSUS_URL, { status: 200, body: LEAD_VIEW })
  server.on('PATCH /api/v1/households/11/members/1', (options) => ({
    status: 200,
    body: Object.assign({ id: 1, relation: 'owner', phone: '138****5678', phone_masked: '138****5678', uses_wechat: false }, options.data),
  }))
  const page = await open()
  page.openEdit(tap({ id: 1 }))
  expect(page.data.form).toMatchObject({ memberId: 1, name: '王秀兰', phone: '', phoneHint: '现有 138****5678，不改就留空' })
  page.pickAgeBand(tap({ value: '70_79' }))
  await page.saveMember()
  expect(sentBody(wx, 'PATCH /api/v1/households/11/members/1')).toEqual({ name: '王秀兰', relation: 'owner', age_band: '70_79', uses_wechat: false })
  expect(page.data.record.members[0].details).toBe('业主 · 70–79岁')

  page.openEdit(tap({ id: 1 }))
  page.onFormInput(field('phone', '13600001111'))
  await page.saveMember()
  expect(sentBody(wx, 'PATCH /api/v1/households/11/members/1')).toMatchObject({ phone: '13600001111' })
})

test('a member who moved out is asked about first, then no longer shown', async () => {
  server.on('DELETE /api/v1/households/11/members/2', { status: 200, body: {} })
  const page = await open()
  cancelModal(wx)
  await page.removeMember(tap({ id: 2 }))
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '李建国 搬走了？', confirmText: '搬走了', cancelText: '没搬走' })
  expect(requestsMade(wx)).not.toContain('DELETE /api/v1/households/11/members/2')
  await page.removeMember(tap({ id: 2 }))
  expect(requestsMade(wx)).toContain('DELETE /api/v1/households/11/members/2')
  expect(page.data.record.members.map((m) => m.name)).toEqual(['王秀兰'])
})

test('care tags are toggled and saved; a refusal is said on the card', async () => {
  server.on(
    'PUT /api/v1/households/11/tags',
    (options) => ({ status: 200, body: { tags: options.data.tags } }),
    { status: 403, body: { code: 'tags_forbidden', message: '关爱标记由志愿者填写' } }
  )
  const page = await open()
  page.toggleTag(tap({ value: 'hardship' }))
  expect(page.data.tagsDirty).toBe(true)
  await page.saveTags()
  expect(sentBody(wx, 'PUT /api/v1/households/11/tags')).toEqual({ tags: ['elderly_alone', 'hardship'] })
  expect(page.data.record.tagsText).toBe('独居老人、生活困难')
  expect(page.data.tagsDirty).toBe(false)
  page.toggleTag(tap({ value: 'elderly_alone' }))
  await page.saveTags()
  expect(page.data.tagsError).toBe('关爱标记由志愿者填写')
})

test('信息无误 confirms with the residence chosen and shows who confirmed', async () => {
  const today = todayInShanghai()
  server.on('POST /api/v1/households/11/confirm', {
    status: 200,
    body: census({ occupancy: 'away', confirmed_at: `${today}T10:00:00+08:00`, confirmed_by: '李师傅', stale: false }),
  })
  const page = await open()
  page.pickOccupancy(tap({ value: 'away' }))
  await page.confirmRecord()
  expect(sentBody(wx, 'POST /api/v1/households/11/confirm')).toEqual({ occupancy: 'away' })
  const day = `${Number(today.slice(5, 7))}月${Number(today.slice(8, 10))}日`
  expect(page.data.record).toMatchObject({ occupancyLabel: '外出暂住别处', confirmedText: `${day}确认，李师傅`, stale: false })
})

test('整户搬走 is asked first, naming the flat; then the record is read again', async () => {
  server.on('POST /api/v1/households/11/move-out', { status: 200, body: {} })
  const page = await open()
  cancelModal(wx)
  await page.askMoveOut()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '整户搬走',
    content: '确定 1-2-301 整户搬走了？本户登记的人都会移除，关爱标记取消，不再安排走访。',
  })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/households/11/move-out')
  await page.askMoveOut()
  expect(requestsMade(wx)).toEqual([CENSUS_URL, 'POST /api/v1/households/11/move-out', CENSUS_URL])
})

test('a refused move-out (a building lead) is shown', async () => {
  server.on('POST /api/v1/households/11/move-out', { status: 403, body: { code: 'census_forbidden', message: '只有本单元联络人和业委会能登记搬走' } })
  const page = await open()
  await page.askMoveOut()
  expect(wx.showToast).toHaveBeenCalledWith({ title: '只有本单元联络人和业委会能登记搬走', icon: 'none', duration: 3000 })
  expect(page.data.busy).toBe(false)
})

test('the first person of a flat that had moved out: the record is read again (在住 now)', async () => {
  server.on(CENSUS_URL, { status: 200, body: census({ members: [], tags: [], occupancy: 'vacant', moved_out_at: '2026-01-05T10:00:00+08:00' }) })
  server.on('POST /api/v1/households/11/members', {
    status: 201,
    body: { id: 9, name: '王小明', relation: 'tenant', age_band: '18_59', phone: '13912345678', phone_masked: '139****5678', uses_wechat: true, bound: false },
  })
  const page = await open()
  expect(page.data.record.movedOut).toBe(true)
  fillNewMember(page)
  page.onConsent({ detail: { value: ['yes'] } })
  server.on(CENSUS_URL, { status: 200, body: census() })
  await page.saveMember()
  expect(requestsMade(wx)).toEqual([CENSUS_URL, 'POST /api/v1/households/11/members', CENSUS_URL])
  expect(page.data.record.movedOut).toBe(false)
  expect(page.data.form.open).toBe(false)
})

test('拨打 calls the number shown in full', async () => {
  const page = await open()
  page.callMember(tap({ phone: '13812345678' }))
  expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13812345678' })
})
