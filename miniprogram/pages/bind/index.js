// Bind myself to a household: ask for it (a reviewer decides) or redeem an invite code.
const { ensureLogin } = require('../../api/auth')
const { myBindings } = require('../../api/me')
const { getConfig } = require('../../api/config')
const { getCompound, requestBinding, redeemInvite, cancel } = require('../../api/bindings')
const { consentNotice } = require('../../api/privacy')
const { subscribe, templateIds } = require('../../services/subscribe')
const { optionsFor, relationLabel } = require('../../utils/labels')
const { validateBinding, validateRedeem } = require('../../utils/validate')
const { errorMessage, showError, fieldErrors } = require('../../utils/errors')
const { formatTime } = require('../../utils/format')
const { confirm } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const SUBMITTED = '已提交，等待单元联络人审核'
// The server keeps at most this many of one person's requests waiting (too_many_pending).
const MAX_PENDING = 3
// Asked when a request is sent: the decision (approved, or why not) is pushed with it.
const SUBSCRIBE_TEMPLATES = ['reminder']

const EMPTY_COMPOUND = {
  compoundName: '',
  buildings: [],
  buildingNames: [],
  buildingIndex: -1,
  units: [],
  unitNames: [],
  unitIndex: -1,
}

function compoundView(compound) {
  return Object.assign({}, EMPTY_COMPOUND, {
    compoundName: compound.name,
    buildings: compound.buildings,
    buildingNames: compound.buildings.map((b) => b.name || `${b.number} 号楼`),
  })
}

function requestView(item) {
  return {
    id: item.id,
    status: item.status,
    label: item.household.label,
    summary: [item.name, relationLabel(item.relation), formatTime(item.created_at)].join(' · '),
    reason: item.status === 'rejected' && item.reason ? `拒绝理由：${item.reason}` : '',
    canCancel: item.status === 'pending',
  }
}

function without(errors, field) {
  const rest = Object.assign({}, errors)
  delete rest[field]
  return rest
}

Page(loadable({
  data: Object.assign(
    {
      mode: 'apply', // apply | invite
      compound: '',
      room: '',
      code: '',
      name: '',
      relations: optionsFor('relation'),
      relationIndex: -1,
      errors: {},
      notice: '',
      submitting: false,
      requests: [],
      requestsError: '',
      pendingFull: false,
      tmplIds: [],
      // The binding notice (GET /consent/binding): what is collected, why, who
      // sees it; its version goes with the request. null while it cannot be read.
      consent: null,
    },
    EMPTY_COMPOUND
  ),

  // options.compound comes from a shared link or a QR code: /pages/bind/index?compound=xxx
  onLoad(options = {}) {
    this.setData({ compound: options.compound || '' })
    return this.load()
  },

  // Without sign-in nothing here works: the error card and 重试. The parts
  // below fail on their own (the compound next to its field, my requests in
  // their card) and leave the form usable.
  async fetch() {
    await ensureLogin()
    await Promise.all([
      this.data.compound && !this.data.compoundName ? this.loadCompound() : null,
      this.loadMine(),
      this.loadTemplates(),
      this.loadConsent(),
    ])
    return {}
  },

  loadTemplates() {
    return getConfig()
      .then((config) => this.setData({ tmplIds: templateIds(config, SUBSCRIBE_TEMPLATES) }))
      .catch(() => null)
  },

  loadConsent() {
    return consentNotice('binding')
      .then((notice) => this.setData({ consent: { version: notice.version, title: notice.title, text: notice.text } }))
      .catch(() => null)
  },

  switchMode(e) {
    this.setData({ mode: e.currentTarget.dataset.mode, errors: {}, notice: '' })
  },

  // Text inputs carry data-field="room|name|code".
  onInput(e) {
    const field = e.currentTarget.dataset.field
    this.setData({ [field]: e.detail.value, errors: without(this.data.errors, field) })
  },

  // A new compound code invalidates the buildings loaded for the old one.
  onCompoundInput(e) {
    this.setData(Object.assign({ compound: e.detail.value, errors: {} }, EMPTY_COMPOUND))
  },

  async loadCompound() {
    const code = this.data.compound.trim()
    if (!code) {
      this.setData({ errors: Object.assign({}, this.data.errors, { compound: '请输入小区编号' }) })
      return
    }
    try {
      const compound = await getCompound(code)
      this.setData(Object.assign(compoundView(compound), { errors: without(this.data.errors, 'compound') }))
    } catch (err) {
      const errors = Object.assign({}, this.data.errors, { compound: errorMessage(err) })
      this.setData(Object.assign({ errors }, EMPTY_COMPOUND))
    }
  },

  onBuildingChange(e) {
    const buildingIndex = Number(e.detail.value)
    const units = this.data.buildings[buildingIndex].units
    this.setData({
      buildingIndex,
      units,
      unitNames: units.map((u) => `${u.number} 单元`),
      unitIndex: units.length === 1 ? 0 : -1,
      errors: without(without(this.data.errors, 'building'), 'unit'),
    })
  },

  onUnitChange(e) {
    this.setData({ unitIndex: Number(e.detail.value), errors: without(this.data.errors, 'unit') })
  },

  onRelationChange(e) {
    this.setData({ relationIndex: Number(e.detail.value), errors: without(this.data.errors, 'relation') })
  },

  submit() {
    return this.data.mode === 'invite' ? this.submitInvite() : this.submitBinding()
  },

  bindingForm() {
    const d = this.data
    const building = d.buildings[d.buildingIndex]
    const unit = d.units[d.unitIndex]
    return {
      compound: d.compoundName ? d.compound.trim() : '',
      building: building ? building.number : 0,
      unit: unit ? unit.number : 0,
      room: d.room.trim(),
      name: d.name.trim(),
      relation: this.relation(),
    }
  },

  relation() {
    const option = this.data.relations[this.data.relationIndex]
    return option ? option.value : ''
  },

  // The tap on 提交申请. Everything before subscribe() is synchronous: WeChat only
  // shows the subscription dialog when it is asked straight from a tap.
  submitBinding() {
    const form = this.bindingForm()
    if (!this.begin(validateBinding(form))) return Promise.resolve()
    const consentVersion = this.data.consent ? this.data.consent.version : undefined
    return subscribe(this.data.tmplIds)
      .then(() => this.send(() => requestBinding(Object.assign({ consentVersion }, form))))
      .then((created) => {
        if (!created) return null
        this.setData({ notice: SUBMITTED, room: '' })
        return this.loadMine()
      })
  },

  async submitInvite() {
    const form = { code: this.data.code.trim(), name: this.data.name.trim(), relation: this.relation() }
    if (!this.begin(validateRedeem(form))) return
    const consentVersion = this.data.consent ? this.data.consent.version : undefined
    const result = await this.send(() => redeemInvite(Object.assign({ consentVersion }, form)))
    if (!result) return
    wx.setStorageSync('user', result.user)
    wx.showToast({ title: '绑定成功', icon: 'success' })
    wx.navigateBack({ fail: () => wx.reLaunch({ url: '/pages/index/index' }) })
  },

  // Shows local errors and returns false, or marks the form as being sent.
  begin(errors) {
    if (Object.keys(errors).length) {
      this.setData({ errors })
      return false
    }
    if (this.data.submitting) return false
    this.setData({ submitting: true, errors: {}, notice: '' })
    return true
  },

  // Calls the API once; server field errors go next to their fields, anything else
  // into a toast. Resolves with the API result or null.
  async send(call) {
    try {
      return await call()
    } catch (err) {
      const fields = fieldErrors(err)
      if (Object.keys(fields).length) this.setData({ errors: fields })
      else showError(err)
      return null
    } finally {
      this.setData({ submitting: false })
    }
  },

  async loadMine() {
    try {
      const { items } = await myBindings()
      const pending = items.filter((item) => item.status === 'pending').length
      this.setData({ requests: items.map(requestView), pendingFull: pending >= MAX_PENDING, requestsError: '' })
    } catch (err) {
      this.setData({ requestsError: errorMessage(err) })
    }
  },

  retryMine() {
    this.setData({ requestsError: '' })
    return this.loadMine()
  },

  async cancelRequest(e) {
    const id = Number(e.currentTarget.dataset.id)
    const sure = await confirm('撤回申请', '撤回后这条申请就作废了，要绑定得重新申请。确定撤回吗？', {
      confirmText: '撤回',
      cancelText: '不撤回',
    })
    if (!sure) return
    try {
      await cancel(id)
      wx.showToast({ title: '已撤回', icon: 'success' })
    } catch (err) {
      showError(err)
    }
    await this.loadMine()
  },
}))
