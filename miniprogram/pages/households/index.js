// 我的住户 (liaisons, building leads, the committee): the households of the
// units I look after — how many are registered and confirmed (a bar), the
// sweeps going on, and three lists: 走访任务 (care visits due, overdue first,
// from GET /me/tasks), 待登记核实 (never confirmed or over a year ago) and 全部住户,
// narrowed to one unit if I like; 各单元登记情况 opens 住户登记覆盖 (and from
// there the export). A household opens its record (pages/household);
// a care visit opens pages/visit. Opened with ?tab=tasks from 工作台's 走访任务.
const { ensureLogin } = require('../../api/auth')
const { getMe, myTasks } = require('../../api/me')
const { censusCoverage, censusHouseholds } = require('../../api/census')
const { listCampaigns } = require('../../api/campaigns')
const { coverageView, householdRowView, isCareVisit, careTaskView, visitUrl } = require('../../utils/census')
const { progressView } = require('../../utils/sweep')
const { HANDLER_ROLES } = require('../../utils/labels')
const { roleCompounds } = require('../../utils/user')
const { errorMessage } = require('../../utils/errors')
const { loadable } = require('../../utils/page')

const TABS = [
  { key: 'tasks', label: '走访任务', empty: '现在没有要走访的住户' },
  { key: 'to_visit', label: '待登记核实', empty: '都登记核实过了' },
  { key: 'all', label: '全部住户', empty: '还没有住户' },
]
const ALL_UNITS = { value: '', label: '全部单元' }

// The units of the coverage answer, for the unit picker.
function unitOptions(coverage) {
  const units = (coverage.buildings || []).flatMap((b) => b.units || [])
  return [ALL_UNITS].concat(units.map((u) => ({ value: u.unit, label: `${u.unit} 单元`, counts: u })))
}

// An open sweep touching my units, for its card.
function campaignCard(c) {
  const progress = progressView(c.progress)
  return { id: c.id, title: c.title, line: progress.line, barStyle: progress.barStyle }
}

// A secondary list: its items, or why it could not be read (the rest still shows).
const settle = (promise, view) =>
  promise.then(
    (items) => ({ items: items.map((item) => view(item)), error: '' }),
    (err) => ({ items: [], error: errorMessage(err) })
  )

Page(
  loadable({
    data: {
      tabs: TABS.map(({ key, label }) => ({ key, label })),
      tab: 'to_visit',
      emptyText: TABS[1].empty,
      compounds: [],
      compoundIndex: 0,
      units: [ALL_UNITS],
      unitIndex: 0,
      coverage: null,
      households: [],
      tasks: [],
      tasksError: '',
      overdueCount: 0,
      campaigns: [],
      campaignsError: '',
    },

    onLoad(options = {}) {
      const tab = TABS.find((t) => t.key === options.tab)
      if (tab) this.setData({ tab: tab.key, emptyText: tab.empty })
    },

    // Every show: a household confirmed or a visit recorded moves the lists.
    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const compounds = roleCompounds(await getMe(), HANDLER_ROLES)
      if (!compounds.length) return { compounds }
      const compoundIndex = Math.min(this.data.compoundIndex, compounds.length - 1)
      const code = compounds[compoundIndex].code
      const unit = this.data.units[this.data.unitIndex] || ALL_UNITS
      const filter = this.data.tab === 'all' ? 'all' : 'to_visit'
      const [coverage, list, tasks, campaigns] = await Promise.all([
        censusCoverage(code),
        censusHouseholds(code, { unit: unit.value, filter }),
        settle(myTasks().then((r) => (r.items || []).filter(isCareVisit)), careTaskView),
        settle(listCampaigns(code).then((r) => (r.items || []).filter((c) => c.status === 'open')), campaignCard),
      ])
      return Object.assign(this.unitPatch(coverage, unit.value), {
        compounds,
        compoundIndex,
        households: (list.items || []).map((item) => householdRowView(item)),
        tasks: tasks.items,
        tasksError: tasks.error,
        overdueCount: tasks.items.filter((t) => t.overdue).length,
        campaigns: campaigns.items,
        campaignsError: campaigns.error,
      })
    },

    // The units offered, the one chosen kept, and the bar for it (or for all).
    unitPatch(coverage, chosen) {
      const units = unitOptions(coverage)
      const unitIndex = Math.max(0, units.findIndex((u) => u.value === chosen))
      const counts = unitIndex ? units[unitIndex].counts : coverage.totals
      return { units, unitIndex, coverage: coverageView(counts) }
    },

    isEmpty(data) {
      return !data.compounds.length
    },

    switchTab(e) {
      const tab = TABS.find((t) => t.key === e.currentTarget.dataset.tab)
      if (!tab || tab.key === this.data.tab) return Promise.resolve()
      this.setData({ tab: tab.key, emptyText: tab.empty })
      return this.refresh()
    },

    onUnitChange(e) {
      this.setData({ unitIndex: Number(e.detail.value) })
      return this.refresh()
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), unitIndex: 0, units: [ALL_UNITS] })
      return this.refresh()
    },

    openHousehold(e) {
      wx.navigateTo({ url: `/pages/household/index?id=${e.currentTarget.dataset.id}` })
    },

    openTask(e) {
      const task = this.data.tasks.find((t) => t.visitId === Number(e.currentTarget.dataset.id))
      if (task) wx.navigateTo({ url: visitUrl(task) })
    },

    // 住户登记覆盖 of this compound, whence 住户登记表格 (export).
    openCoverage() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (compound) wx.navigateTo({ url: `/pages/coverage/index?compound=${encodeURIComponent(compound.code)}` })
    },

    openCampaign(e) {
      wx.navigateTo({ url: `/pages/campaign/index?id=${e.currentTarget.dataset.id}` })
    },
  })
)
