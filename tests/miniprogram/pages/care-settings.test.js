/**
 * @jest-environment jsdom
 *
 * 走访频率: each care tag's cadence (or 不走访) with its default; the committee
 * switches a tag off or types other days, is asked, and the list is saved; bad
 * days are said under the tag; volunteers read it only.
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON, RESIDENT } = require('../helpers/fixtures')

const CARE = loadPage('care-settings')
const URL = '/api/v1/compounds/yangguang/care/cadences'

const ITEMS = [
  { tag: 'elderly_alone', every_days: 7, default: 7 },
  { tag: 'disability', every_days: 14, default: 14 },
  { tag: 'hardship', every_days: 0, default: 30 },
  { tag: 'party_centre', every_days: 0, default: 0 },
]

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function open(user = COMMITTEE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(`GET ${URL}`, { status: 200, body: { items: ITEMS } })
  const page = renderPage(CARE)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

const on = (tag, value) => ({ currentTarget: { dataset: { tag } }, detail: { value } })

test('the committee sees every tag with its days, or 不走访, and the default', async () => {
  const page = await open()
  expect(texts(page, '.cadence-label')).toEqual(['独居老人', '残疾', '生活困难', '党员中心户'])
  expect(page.querySelectorAll('.days-input')).toHaveLength(2)
  expect(texts(page, '.off')).toEqual(['不走访', '不走访'])
  expect(texts(page, '.cadence .muted')).toEqual(['默认每 7 天一次', '默认每 14 天一次', '默认每 30 天一次', '默认不走访'])
  expect(texts(page, '.save')).toEqual(['保存'])
})

test('a liaison reads the cadences without switches or 保存', async () => {
  const page = await open(LIAISON)
  expect(texts(page, '.days-line')).toEqual(['每 7 天走访一次', '每 14 天走访一次', '不走访', '不走访'])
  expect(page.querySelector('.cadence-switch')).toBeUndefined()
  expect(page.querySelector('.save')).toBeUndefined()
  expect(texts(page, '.read-only')).toEqual(['走访频率由业委会设定。'])
})

test('a resident is told who may see it', async () => {
  const page = await open(RESIDENT)
  expect(texts(page, '.denied')).toEqual(['只有单元联络人、楼栋长和业委会成员可以查看走访频率。'])
  expect(requestsMade(wx)).not.toContain(`GET ${URL}`)
})

test('changed days and a tag switched on or off are asked about, then saved as the API wants', async () => {
  const saved = ITEMS.map((i) => Object.assign({}, i))
  saved[0].every_days = 5
  saved[1].every_days = 0
  saved[2].every_days = 30
  server.on(`PUT ${URL}`, { status: 200, body: { items: saved } })
  const page = await open()
  page.instance.onDays(on('elderly_alone', '5'))
  page.instance.onSwitch(on('disability', false))
  page.instance.onSwitch(on('hardship', true))
  await page.instance.save()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '保存走访频率',
    content: '独居老人每 5 天一次，残疾不走访，生活困难每 30 天一次，党员中心户不走访。保存后，还没去的走访会按新的频率重新排日子。',
    confirmText: '保存',
  })
  expect(sentBody(wx, `PUT ${URL}`)).toEqual({
    items: [
      { tag: 'elderly_alone', every_days: 5 },
      { tag: 'disability', every_days: 0 },
      { tag: 'hardship', every_days: 30 },
      { tag: 'party_centre', every_days: 0 },
    ],
  })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存', icon: 'success' })
  await sleep(0)
  expect(texts(page, '.off')).toEqual(['不走访', '不走访'])
})

test('days out of 1..365 are said under the tag and nothing is sent; 再看看 sends nothing', async () => {
  const page = await open()
  page.instance.onDays(on('elderly_alone', '0'))
  page.instance.onDays(on('disability', '400'))
  await page.instance.save()
  await sleep(0)
  expect(texts(page, '.cadence .error-text')).toEqual(['请填 1 到 365 之间的天数', '请填 1 到 365 之间的天数'])
  expect(wx.showModal).not.toHaveBeenCalled()
  page.instance.onDays(on('elderly_alone', '3'))
  page.instance.onDays(on('disability', '10'))
  cancelModal(wx)
  await page.instance.save()
  expect(requestsMade(wx)).not.toContain(`PUT ${URL}`)
})

test("the server's refusal is said and the form stays", async () => {
  server.on(`PUT ${URL}`, { status: 409, body: { code: 'compound_archived', message: '小区已归档，不能再修改' } })
  const page = await open()
  await page.instance.save()
  await sleep(0)
  expect(texts(page, '.save-error')).toEqual(['小区已归档，不能再修改'])
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '未能保存', content: '小区已归档，不能再修改' })
  expect(page.instance.data.saving).toBe(false)
})
