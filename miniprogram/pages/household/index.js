// 住户登记 (a household's census record), filled in on the doorstep by the
// unit's liaison, the building lead or the committee: who lives there (big
// fields a voice keyboard can fill), a new person only after the consent notice
// has been read out and ticked, the care tags (volunteers), 信息无误 to confirm
// the record, and 整户搬走 after a question; a flat whose household moved out
// registers whoever moved in. Opened with ?id=<household id>
// (&reason=… when the read has a reason of its own, e.g. a care visit).
const { ensureLogin } = require('../../api/auth')
const {
  getCensus,
  addMember,
  updateMember,
  removeMember,
  setTags,
  confirmCensus,
  moveOut,
} = require('../../api/census')
const { censusView, memberView, tagChoices, tagsText, validateMember, cleanPhone } = require('../../utils/census')
const { optionsFor } = require('../../utils/labels')
const { errorMessage, showError, fieldErrors } = require('../../utils/errors')
const { confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const CLOSED_FORM = { open: false, memberId: 0, name: '', relation: '', ageBand: '', phone: '', phoneHint: '', phoneDirty: false, usesWechat: false, consented: false }

// The server's field names → the form's.
const FORM_FIELDS = { name: 'name', relation: 'relation', age_band: 'age_band', phone: 'phone', consent: 'consent' }

Page(
  loadable({
    data: {
      record: null,
      relations: optionsFor('relation'),
      ageBands: optionsFor('age_band'),
      residences: optionsFor('residence'),
      form: CLOSED_FORM,
      formErrors: {},
      formError: '',
      saving: false,
      tagChoices: [],
      tagsDirty: false,
      tagsSaving: false,
      tagsError: '',
      occupancy: 'lives_here',
      confirming: false,
      busy: false,
    },

    onLoad(options) {
      this.householdId = Number((options && options.id) || 0)
      this.reason = options && options.reason ? decodeURIComponent(options.reason) : undefined
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      return this.recordPatch(await getCensus(this.householdId, this.reason))
    },

    recordPatch(census) {
      const record = censusView(census)
      return { record, tagChoices: tagChoices(record.tags), tagsDirty: false, occupancy: record.occupancy }
    },

    // ------------------------------------------------------------ members

    openAdd() {
      this.setData({ form: Object.assign({}, CLOSED_FORM, { open: true }), formErrors: {}, formError: '' })
    },

    // A phone shown in full comes back into the field; a masked one stays as a
    // hint (不改就留空) and is sent only when typed again.
    openEdit(e) {
      const member = this.data.record.members.find((m) => m.id === Number(e.currentTarget.dataset.id))
      if (!member) return
      const form = Object.assign({}, CLOSED_FORM, {
        open: true,
        memberId: member.id,
        name: member.name,
        relation: member.relation,
        ageBand: member.ageBand,
        phone: member.callable ? member.phone : '',
        phoneHint: member.phone && !member.callable ? `现有 ${member.phone}，不改就留空` : '',
        usesWechat: member.usesWechat,
      })
      this.setData({ form, formErrors: {}, formError: '' })
    },

    closeForm() {
      this.setData({ form: CLOSED_FORM, formErrors: {}, formError: '' })
    },

    setForm(patch, clears) {
      const formErrors = Object.assign({}, this.data.formErrors)
      delete formErrors[clears]
      this.setData({ form: Object.assign({}, this.data.form, patch), formErrors, formError: '' })
    },

    onFormInput(e) {
      const field = e.currentTarget.dataset.field
      const patch = { [field]: e.detail.value }
      if (field === 'phone') patch.phoneDirty = true
      this.setForm(patch, field)
    },

    pickRelation(e) {
      this.setForm({ relation: e.currentTarget.dataset.value }, 'relation')
    },

    pickAgeBand(e) {
      this.setForm({ ageBand: e.currentTarget.dataset.value }, 'age_band')
    },

    onWechat(e) {
      this.setForm({ usesWechat: Boolean(e.detail.value) })
    },

    onConsent(e) {
      this.setForm({ consented: (e.detail.value || []).length > 0 }, 'consent')
    },

    memberBody(form) {
      const body = { name: form.name.trim(), relation: form.relation, age_band: form.ageBand, uses_wechat: form.usesWechat }
      if (!form.memberId || form.phoneDirty) body.phone = cleanPhone(form.phone) || null
      if (!form.memberId) body.consent = true
      return body
    },

    async saveMember() {
      const form = this.data.form
      if (this.data.saving || !form.open) return
      const errors = validateMember(form)
      if (form.memberId && !form.phoneDirty) delete errors.phone
      if (!form.memberId && !form.consented) errors.consent = '请先把告知念给住户听，住户同意后勾选'
      if (Object.keys(errors).length) {
        this.setData({ formErrors: errors, formError: '请按提示改好再保存' })
        return
      }
      this.setData({ saving: true, formError: '' })
      try {
        const saved = form.memberId
          ? await updateMember(this.householdId, form.memberId, this.memberBody(form))
          : await addMember(this.householdId, this.memberBody(form))
        this.putMember(memberView(saved), form.memberId)
        this.setData({ form: CLOSED_FORM, formErrors: {} })
        wx.showToast({ title: '已保存', icon: 'success' })
        // The first person of a flat whose household had moved out: it is
        // lived in again, and can be confirmed (read afresh).
        if (this.data.record.movedOut) await this.refresh()
      } catch (err) {
        this.showFormError(err)
      }
      this.setData({ saving: false })
    },

    putMember(member, replacing) {
      const members = this.data.record.members
      const next = replacing ? members.map((m) => (m.id === replacing ? member : m)) : members.concat(member)
      this.setData({ record: Object.assign({}, this.data.record, { members: next }) })
    },

    // A refusal about a field is shown under it; the rest under the buttons.
    showFormError(err) {
      const fields = fieldErrors(err)
      const formErrors = {}
      for (const name of Object.keys(fields)) if (FORM_FIELDS[name]) formErrors[FORM_FIELDS[name]] = fields[name]
      if (err && err.code === 'bad_phone') formErrors.phone = errorMessage(err)
      if (err && err.code === 'consent_required') formErrors.consent = errorMessage(err)
      this.setData({ formErrors, formError: Object.keys(formErrors).length ? '请按提示改好再保存' : errorMessage(err) })
    },

    async removeMember(e) {
      const member = this.data.record.members.find((m) => m.id === Number(e.currentTarget.dataset.id))
      if (!member || this.data.busy) return
      const sure = await confirmOnce(this, `${member.name} 搬走了？`, '搬走后不再显示在本户登记里，登记的信息到期后匿名处理。', {
        confirmText: '搬走了',
        cancelText: '没搬走',
      })
      if (!sure) return
      this.setData({ busy: true })
      try {
        await removeMember(this.householdId, member.id)
        const members = this.data.record.members.filter((m) => m.id !== member.id)
        this.setData({ record: Object.assign({}, this.data.record, { members }) })
        wx.showToast({ title: '已登记搬走', icon: 'success' })
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },

    callMember(e) {
      const phone = e.currentTarget.dataset.phone
      if (phone) wx.makePhoneCall({ phoneNumber: phone })
    },

    // ------------------------------------------------------------ tags

    toggleTag(e) {
      const value = e.currentTarget.dataset.value
      const choices = this.data.tagChoices.map((t) => (t.value === value ? Object.assign({}, t, { on: !t.on }) : t))
      this.setData({ tagChoices: choices, tagsDirty: true, tagsError: '' })
    },

    async saveTags() {
      if (this.data.tagsSaving) return
      const tags = this.data.tagChoices.filter((t) => t.on).map((t) => t.value)
      this.setData({ tagsSaving: true, tagsError: '' })
      try {
        const kept = (await setTags(this.householdId, tags)).tags || tags
        const record = Object.assign({}, this.data.record, { tags: kept, tagsText: tagsText(kept) })
        this.setData({ record, tagChoices: tagChoices(kept), tagsDirty: false })
        wx.showToast({ title: '关爱标记已保存', icon: 'success' })
      } catch (err) {
        this.setData({ tagsError: errorMessage(err) })
      }
      this.setData({ tagsSaving: false })
    },

    // ------------------------------------------------------------ confirm, move out

    pickOccupancy(e) {
      this.setData({ occupancy: e.currentTarget.dataset.value })
    },

    async confirmRecord() {
      if (this.data.confirming) return
      this.setData({ confirming: true })
      try {
        const census = await confirmCensus(this.householdId, this.data.occupancy)
        if (census && census.household) this.setData(this.recordPatch(census))
        else await this.refresh()
        wx.showToast({ title: '已确认登记', icon: 'success' })
      } catch (err) {
        showError(err)
      }
      this.setData({ confirming: false })
    },

    async askMoveOut() {
      if (this.data.busy) return
      const label = this.data.record.label
      const sure = await confirmOnce(
        this,
        '整户搬走',
        `确定 ${label} 整户搬走了？本户登记的人都会移除，关爱标记取消，不再安排走访。`,
        { confirmText: '搬走了', cancelText: '取消' }
      )
      if (!sure) return
      this.setData({ busy: true })
      try {
        await moveOut(this.householdId)
        wx.showToast({ title: '已登记搬走', icon: 'success' })
        await this.refresh()
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },
  })
)
