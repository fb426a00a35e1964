// 电费录入 (unit liaisons and the committee): a unit's stairwell electricity
// for a month. Two people for every yuan: what is entered here makes no bill
// until a committee member other than the one who entered it confirms it
// (pages/confirm). Below the form, the unit's latest readings and where each
// stands; a committee member may ask to void a wrong confirmed one (a second
// member confirms the void), which is how a reading is corrected.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { recordMeterReading, meterReadings, voidMeterReading } = require('../../api/meter')
const { readingView, flagText } = require('../../utils/changes')
const { validateMeterReading } = require('../../utils/validate')
const { monthInShanghai, formatMonth } = require('../../utils/format')
const { formatYuan } = require('../../utils/money')
const { roleCompounds } = require('../../utils/user')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { showModal, confirm } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const WAITS = '等待另一位业委会成员确认后才会出账'
const NOT_FOR_YOU = '只有单元联络人和业委会成员可以录入电费。'

// "YYYY-MM" one month after `month`.
function monthAfter(month) {
  const [year, number] = month.split('-').map(Number)
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, '0')}`
}

// The units I may enter electricity for: my own as a liaison, every unit of a
// compound where I am on the committee (which may also void readings there).
async function myUnits(user) {
  const units = []
  const add = (unit) => units.some((u) => u.id === unit.id) || units.push(unit)
  for (const role of user.roles || []) {
    if (role.role === 'liaison' && role.scope_id) {
      add({ id: role.scope_id, label: role.label, compound: role.compound, committee: false })
    }
  }
  for (const compound of roleCompounds(user, ['committee'])) {
    const found = await getCompound(compound.code)
    for (const building of found.buildings || []) {
      for (const unit of building.units || []) {
        const mine = units.find((u) => u.id === unit.id)
        if (mine) mine.committee = true
        else add({ id: unit.id, label: `${building.number}-${unit.number}`, compound: compound.code, committee: true })
      }
    }
  }
  return units.map((u) => Object.assign(u, { name: `${u.label}单元` }))
}

Page(
  loadable({
    data: {
      denied: '', // neither a liaison nor on a committee: said once
      units: [],
      unitIndex: 0,
      month: '',
      monthText: '',
      latestMonth: '',
      amount: '',
      errors: {},
      submitting: false,
      notice: '',
      readings: [],
      readingsError: '',
      readingsRetrying: false,
      canVoid: false,
      busyId: 0,
      voiding: 0, // the reading whose 作废理由 dialog is open
    },

    onLoad() {
      const month = monthInShanghai()
      this.setData({ month, monthText: formatMonth(month), latestMonth: monthAfter(month) })
      return this.load()
    },

    // My units (asked once), then the chosen unit's readings, which fail on
    // their own: the form stays usable.
    async fetch() {
      await ensureLogin()
      const units = this.data.units.length ? this.data.units : await myUnits(await getMe())
      if (!units.length) return { denied: NOT_FOR_YOU }
      return Object.assign({ denied: '', units }, await this.readingsPatch(units[this.data.unitIndex]))
    },

    unit() {
      return this.data.units[this.data.unitIndex]
    },

    async readingsPatch(unit) {
      try {
        const { items } = await meterReadings(unit.id)
        return { readings: items.map(readingView), readingsError: '', canVoid: unit.committee }
      } catch (err) {
        return { readings: [], readingsError: errorMessage(err) }
      }
    },

    async loadReadings() {
      const unit = this.unit()
      if (unit) this.setData(await this.readingsPatch(unit))
    },

    // 重试 under the readings' error; the button spins until they answer.
    async retryReadings() {
      if (this.data.readingsRetrying) return
      this.setData({ readingsRetrying: true })
      await this.loadReadings()
      this.setData({ readingsRetrying: false })
    },

    onUnitChange(e) {
      this.setData({ unitIndex: Number(e.detail.value), notice: '', errors: {} })
      return this.loadReadings()
    },

    // <picker mode="date" fields="month" end="{{latestMonth}}">: "YYYY-MM".
    onMonthChange(e) {
      const month = e.detail.value
      this.setData({ month, monthText: formatMonth(month), errors: this.clearError('period') })
    },

    onAmountInput(e) {
      this.setData({ amount: e.detail.value, errors: this.clearError('amount_fen') })
    },

    clearError(field) {
      const errors = Object.assign({}, this.data.errors)
      delete errors[field]
      delete errors.form
      return errors
    },

    // Asked first (an amount in yuan is easy to mistype), then sent; it waits
    // for a second committee member either way.
    async submit() {
      if (this.data.submitting) return
      const unit = this.unit()
      const { errors, body } = validateMeterReading(
        { unitId: unit && unit.id, month: this.data.month, amount: this.data.amount },
        this.data.latestMonth
      )
      if (!body) {
        this.setData({ errors })
        return
      }
      const what = `${unit.name} ${this.data.monthText}公用电费 ¥${formatYuan(body.amount_fen)}`
      if (!(await confirm('录入电费', `${what}。提交后${WAITS}。`, { confirmText: '提交', cancelText: '再看看' }))) return
      this.setData({ submitting: true, errors: {} })
      let reading
      try {
        reading = await recordMeterReading(body)
      } catch (err) {
        this.setData({ submitting: false })
        this.failed(err)
        return
      }
      const flag = flagText(reading.flag)
      const notice = `已录入${what}，${WAITS}。${flag ? `${flag}，确认人会再核对。` : ''}`
      this.setData({ submitting: false, amount: '', notice })
      wx.showToast({ title: '已录入', icon: 'success' })
      await this.loadReadings()
    },

    failed(err) {
      const fields = fieldErrors(err)
      const errors = {}
      if (fields.amount_fen) errors.amount_fen = fields.amount_fen
      if (fields.period) errors.period = fields.period
      if (err.code === 'amount_out_of_range') errors.amount_fen = errorMessage(err)
      else if (err.code === 'period_too_late') errors.period = errorMessage(err)
      else if (!Object.keys(errors).length) errors.form = errorMessage(err)
      this.setData({ errors })
    },

    // 申请作废 (committee): opens the reason dialog; a second committee member
    // confirms the void.
    voidReading(e) {
      const reading = this.data.readings.find((r) => r.id === Number(e.currentTarget.dataset.id))
      if (!reading || !reading.canVoid || !this.data.canVoid || this.data.busyId) return
      this.setData({ voiding: reading.id })
    },

    onVoidCancel() {
      this.setData({ voiding: 0 })
    },

    async onVoid(e) {
      const id = this.data.voiding
      this.setData({ voiding: 0 })
      if (!id) return
      this.setData({ busyId: id })
      try {
        await voidMeterReading(id, e.detail.reason)
        wx.showToast({ title: '已申请作废', icon: 'success' })
      } catch (err) {
        await showModal({ title: '未能申请', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
      }
      this.setData({ busyId: 0 })
      await this.loadReadings()
    },
  })
)
