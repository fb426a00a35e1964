// 排查 (volunteers): the compound's sweeps that touch my units, open first, each
// with how many households were visited; a sweep opens its own page. The
// committee starts one here: a type whose template fills the checklist (every
// line can be changed, removed or added to), the buildings or units it covers,
// and the day it is due. Asked once more before the liaisons are told.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { listCampaigns } = require('../../api/campaigns')
const { campaignTemplates, createCampaign } = require('../../api/new-campaign')
const { roleCompounds } = require('../../utils/user')
const { todayInShanghai, formatDate } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')
const {
  SWEEP_ROLES,
  SWEEP_STARTER_ROLES,
  TITLE_MAX,
  ITEM_MAX,
  campaignView,
  checklistLines,
  blankLine,
  scopeChoices,
  scopeText,
  validateCampaign,
} = require('../../utils/sweeps')

const DENIED = '只有单元联络人、楼栋长和业委会成员可以查看排查。'
// A new sweep is due two weeks from today unless another day is picked.
const DEFAULT_DAYS = 14

function daysAfter(today, days) {
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

const EMPTY_FORM = {
  creating: false,
  typeIndex: -1,
  title: '',
  checklist: [],
  scopeMode: 'compound',
  buildings: [],
  units: [],
  dueOn: '',
  errors: {},
  sending: false,
}

Page(
  loadable({
    data: Object.assign(
      {
        denied: '',
        compounds: [],
        compoundIndex: 0,
        canStart: false,
        items: [],
        today: '',
        templates: [],
        titleMax: TITLE_MAX,
        itemMax: ITEM_MAX,
      },
      EMPTY_FORM
    ),

    onLoad() {
      this.setData({ today: todayInShanghai() })
      return this.load()
    },

    // Coming back from a sweep: its progress may have moved.
    onShow() {
      if (this.data.loaded && !this.data.creating) return this.refresh()
      return undefined
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        const me = await getMe()
        compounds = roleCompounds(me, SWEEP_ROLES)
        if (!compounds.length) return { denied: DENIED, items: [] }
        this.starterCodes = roleCompounds(me, SWEEP_STARTER_ROLES).map((c) => c.code)
      }
      const compound = compounds[this.data.compoundIndex]
      const { items } = await listCampaigns(compound.code)
      return {
        denied: '',
        compounds,
        canStart: (this.starterCodes || []).includes(compound.code),
        items: items.map((c) => campaignView(c, this.data.today)),
      }
    },

    isEmpty(data) {
      return !data.denied && !data.items.length
    },

    onCompoundChange(e) {
      this.setData(Object.assign({ compoundIndex: Number(e.detail.value), loaded: false, items: [] }, EMPTY_FORM))
      return this.load()
    },

    openCampaign(e) {
      wx.navigateTo({ url: `/pages/campaign/index?id=${e.currentTarget.dataset.id}` })
    },

    // 发起排查: the templates and the compound's buildings, read once.
    async openCreate() {
      if (!this.data.canStart || this.data.creating) return
      const code = this.data.compounds[this.data.compoundIndex].code
      try {
        const [templates, structure] = await Promise.all([
          this.data.templates.length ? { items: this.data.templates } : campaignTemplates(),
          getCompound(code),
        ])
        this.setData(
          Object.assign({}, EMPTY_FORM, scopeChoices(structure), {
            creating: true,
            templates: templates.items,
            dueOn: daysAfter(this.data.today, DEFAULT_DAYS),
          })
        )
      } catch (err) {
        await showModal({ title: '暂时不能发起', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
      }
    },

    cancelCreate() {
      this.setData(EMPTY_FORM)
    },

    // A type fills in its name and checklist, replacing what was there.
    onTypeChange(e) {
      const typeIndex = Number(e.detail.value)
      const template = this.data.templates[typeIndex]
      if (!template) return
      this.setData({
        typeIndex,
        title: template.label,
        checklist: checklistLines(template.checklist),
        errors: Object.assign({}, this.data.errors, { type: '', title: '', checklist: '' }),
      })
    },

    onTitle(e) {
      this.setData({ title: e.detail.value, errors: Object.assign({}, this.data.errors, { title: '' }) })
    },

    onItemInput(e) {
      const key = e.currentTarget.dataset.key
      const checklist = this.data.checklist.map((line) => (line.key === key ? { key, text: e.detail.value } : line))
      this.setData({ checklist, errors: Object.assign({}, this.data.errors, { checklist: '' }) })
    },

    removeItem(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ checklist: this.data.checklist.filter((line) => line.key !== key) })
    },

    addItem() {
      this.setData({ checklist: this.data.checklist.concat([blankLine()]) })
    },

    onScopeMode(e) {
      const scopeMode = e.currentTarget.dataset.mode
      this.setData({ scopeMode, errors: Object.assign({}, this.data.errors, { scope: '' }) })
    },

    // A whole building, or a unit on its own (its building not picked).
    toggleBuilding(e) {
      const number = Number(e.currentTarget.dataset.number)
      const buildings = this.data.buildings.map((b) => (b.number === number ? Object.assign({}, b, { checked: !b.checked }) : b))
      this.setData({ buildings, errors: Object.assign({}, this.data.errors, { scope: '' }) })
    },

    toggleUnit(e) {
      const key = e.currentTarget.dataset.key
      const units = this.data.units.map((u) => (u.key === key ? Object.assign({}, u, { checked: !u.checked }) : u))
      this.setData({ units, errors: Object.assign({}, this.data.errors, { scope: '' }) })
    },

    onDue(e) {
      this.setData({ dueOn: e.detail.value, errors: Object.assign({}, this.data.errors, { due_on: '' }) })
    },

    async submit() {
      if (this.data.sending) return
      const { errors, body } = validateCampaign(this.data, this.data.today)
      if (!body) {
        this.setData({ errors })
        return
      }
      const sure = await confirmOnce(
        this,
        '发起排查',
        `将通知${scopeText(this.data)}的联络人和楼栋长，在${formatDate(body.dueOn)}前逐户上门，按清单查一遍。发起后清单不能再改。`,
        { confirmText: '发起', cancelText: '再看看' }
      )
      if (!sure) return
      this.setData({ sending: true, errors: {} })
      try {
        await createCampaign(this.data.compounds[this.data.compoundIndex].code, body)
      } catch (err) {
        this.setData({ sending: false })
        const fields = fieldErrors(err)
        if (Object.keys(fields).length) {
          this.setData({ errors: fields })
          return
        }
        await showModal({ title: '未能发起', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        return
      }
      this.setData(EMPTY_FORM)
      wx.showToast({ title: '已发起', icon: 'success' })
      await this.refresh()
    },
  })
)
