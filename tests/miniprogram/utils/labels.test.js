/**
 * @jest-environment node
 *
 * The wording of codes comes from the server (GET /api/v1/config `labels`);
 * utils/labels.js is only the offline fallback.
 */
const path = require('path')
const { ROOT, installWx, requestsMade } = require('../helpers/wx')

// Each test gets fresh modules: a new app run.
function freshStart() {
  let modules
  jest.isolateModules(() => {
    modules = {
      labels: require(path.join(ROOT, 'utils/labels.js')),
      config: require(path.join(ROOT, 'api/config.js')),
    }
  })
  return modules
}

// What the server would send with some wording changed.
function configWith(labels, version) {
  return {
    status: 200,
    body: {
      subscribe_templates: {},
      categories: { repair: '报修' },
      statuses: { submitted: '待受理' },
      labels,
      labels_version: version,
    },
  }
}

const RENAMED = {
  relation: { owner: '产权人', tenant: '租户', family: '家属' },
  bill_status: { unpaid: '待缴', pending: '支付中', paid: '已缴', cancelled: '已作废' },
  // Sent as Flask sends JSON: keys sorted, and a method only the server knows.
  offline_method: { cash: '现金', qr: '扫码', transfer: '银行转账' },
}

test('before any config, the built-in words are used', () => {
  installWx()
  const { labels } = freshStart()
  expect(labels.relationLabel('owner')).toBe('业主')
  expect(labels.billStatusLabel('pending')).toBe('支付中')
  expect(labels.scopeLabel('unit')).toBe('单元')
  expect(labels.issueActionLabel('resolve')).toBe('办结')
  expect(labels.optionsFor('offline_method').map((o) => o.label)).toEqual(['现金', '转账', '其他'])
})

test("the server's words replace ours once GET /config answers, pickers in our order", async () => {
  const { server } = installWx()
  server.on('GET /api/v1/config', configWith(RENAMED, 'v2'))
  const { labels, config } = freshStart()
  await config.getConfig()
  expect(labels.relationLabel('owner')).toBe('产权人')
  expect(labels.billStatusLabel('unpaid')).toBe('待缴')
  expect(labels.optionsFor('offline_method')).toEqual([
    { value: 'cash', label: '现金' },
    { value: 'transfer', label: '银行转账' },
    { value: 'qr', label: '扫码' },
  ])
  // A group or a code the server did not send still reads in our words.
  expect(labels.roleLabel('liaison')).toBe('单元联络人')
  expect(labels.offlineMethodLabel('other')).toBe('其他')
  // An unknown code reads as itself, or as each function's general word.
  expect(labels.billStatusLabel('frozen')).toBe('frozen')
  expect(labels.anomalyKindLabel('new_kind')).toBe('其他缴费异常')
})

test('an offline first start falls back to the built-in words', async () => {
  const { server, wx } = installWx()
  server.on('GET /api/v1/config', { fail: 'timeout' })
  const { labels, config } = freshStart()
  await expect(config.getConfig()).rejects.toMatchObject({ code: 'network_error' })
  expect(labels.relationLabel('owner')).toBe('业主')
  expect(wx.setStorageSync).not.toHaveBeenCalled()
})

test('an offline start after a good one speaks the stored server words', async () => {
  const { server, store } = installWx()
  server.on('GET /api/v1/config', configWith(RENAMED, 'v2'))
  await freshStart().config.getConfig()
  expect(store.get('serverLabels').version).toBe('v2')

  server.on('GET /api/v1/config', { fail: 'timeout' })
  const { labels, config } = freshStart()
  expect(labels.relationLabel('owner')).toBe('产权人')
  await expect(config.getConfig()).rejects.toBeTruthy()
  expect(labels.relationLabel('owner')).toBe('产权人')
})

test('a stored copy of another labels_version is replaced by the new one', async () => {
  const stale = { version: 'v1', labels: { relation: { owner: '房主' } } }
  const { server, store, wx } = installWx({ storage: { serverLabels: stale } })
  server.on('GET /api/v1/config', configWith(RENAMED, 'v2'))
  const { labels, config } = freshStart()
  expect(labels.relationLabel('owner')).toBe('房主')
  await config.getConfig()
  expect(labels.relationLabel('owner')).toBe('产权人')
  expect(store.get('serverLabels')).toEqual({ version: 'v2', labels: RENAMED })
  expect(wx.setStorageSync).toHaveBeenCalledTimes(1)
})

test('the same labels_version is not written again', async () => {
  const { server, wx } = installWx({ storage: { serverLabels: { version: 'v2', labels: RENAMED } } })
  server.on('GET /api/v1/config', configWith(RENAMED, 'v2'))
  await freshStart().config.getConfig()
  expect(wx.setStorageSync).not.toHaveBeenCalled()
})

test('config is asked once per run, and again after a failure', async () => {
  const { server, wx } = installWx()
  server.on('GET /api/v1/config', { fail: 'timeout' }, configWith(RENAMED, 'v2'))
  const { config } = freshStart()
  await expect(config.getConfig()).rejects.toBeTruthy()
  await config.getConfig()
  await config.getConfig()
  expect(requestsMade(wx)).toEqual(['GET /api/v1/config', 'GET /api/v1/config'])
})

test('an older server without labels still names issue categories and statuses', async () => {
  const { server, wx } = installWx()
  server.on('GET /api/v1/config', {
    status: 200,
    body: { subscribe_templates: {}, categories: { repair: '维修' }, statuses: { submitted: '已提交' } },
  })
  const { labels, config } = freshStart()
  await config.getConfig()
  expect(labels.issueCategoryLabel('repair')).toBe('维修')
  expect(labels.issueStatusLabel('submitted')).toBe('已提交')
  expect(labels.relationLabel('owner')).toBe('业主')
  expect(wx.setStorageSync).not.toHaveBeenCalled()
})

test('empty or malformed words are ignored, never shown', async () => {
  const { server } = installWx({ storage: { serverLabels: 'garbage' } })
  server.on(
    'GET /api/v1/config',
    configWith({ relation: { owner: '', tenant: 7, family: '亲属' }, role: 'liaison', scope: null }, 'v3')
  )
  const { labels, config } = freshStart()
  expect(labels.relationLabel('owner')).toBe('业主')
  await config.getConfig()
  expect(labels.relationLabel('owner')).toBe('业主')
  expect(labels.relationLabel('tenant')).toBe('租户')
  expect(labels.relationLabel('family')).toBe('亲属')
  expect(labels.roleLabel('liaison')).toBe('单元联络人')
})

test('storage that throws leaves the built-in words in place', async () => {
  const { server, wx } = installWx()
  const refuse = (key) => {
    if (key === 'serverLabels') throw new Error('storage:fail exceed')
    return ''
  }
  wx.getStorageSync.mockImplementation(refuse)
  wx.setStorageSync.mockImplementation(refuse)
  server.on('GET /api/v1/config', configWith(RENAMED, 'v2'))
  const { labels, config } = freshStart()
  expect(labels.relationLabel('owner')).toBe('业主')
  await config.getConfig()
  expect(labels.relationLabel('owner')).toBe('产权人')
})

// Every group the server serves has a built-in copy, under the server's name.
test('the built-in copy holds every served group', () => {
  installWx()
  const { labels } = freshStart()
  const groups = [
    'issue_category',
    'issue_status',
    'issue_action',
    'role',
    'scope',
    'relation',
    'binding_status',
    'bill_status',
    'reading_status',
    'change_kind',
    'payment_status',
    'anomaly_kind',
    'offline_method',
    'offline_status',
  ]
  for (const group of groups) expect([group, Object.keys(labels.labelsFor(group)).length > 0]).toEqual([group, true])
})

test("the app asks for the server's words as it starts", async () => {
  const { server, store } = installWx()
  server.on('GET /api/v1/config', configWith(RENAMED, 'v2'))
  let app
  let labels
  global.App = (definition) => (app = definition)
  jest.isolateModules(() => {
    require(path.join(ROOT, 'app.js'))
    labels = require(path.join(ROOT, 'utils/labels.js'))
  })
  delete global.App
  app.onLaunch()
  for (let i = 0; i < 100 && !store.has('serverLabels'); i += 1) await new Promise((r) => setTimeout(r, 5))
  expect(labels.relationLabel('owner')).toBe('产权人')
})

test('an app started offline still launches, in the built-in words', async () => {
  const { server, wx } = installWx()
  server.on('GET /api/v1/config', { fail: 'timeout' })
  let app
  let labels
  global.App = (definition) => (app = definition)
  jest.isolateModules(() => {
    require(path.join(ROOT, 'app.js'))
    labels = require(path.join(ROOT, 'utils/labels.js'))
  })
  delete global.App
  expect(() => app.onLaunch()).not.toThrow()
  await new Promise((r) => setTimeout(r, 10))
  expect(requestsMade(wx)).toEqual(['GET /api/v1/config'])
  expect(labels.relationLabel('owner')).toBe('业主')
})
