// 我家的登记信息 (a resident, for their own household): who the census says lives
// here, with full phones; correct a person, add one (after reading the notice of
// what is collected and ticking that they agree), say the record is right, see
// who viewed it, download everything the app keeps about the household, or erase
// the census data (asked twice: it cannot be undone).
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCensus, addMember, updateMember, removeMember, confirmCensus } = require('../../api/census')
const { myHouseholdViews, myHouseholdDataFile, eraseMyHouseholdData } = require('../../api/privacy')
const { censusView, householdViewLine, validateMember } = require('../../utils/personal-data')
const { optionsFor } = require('../../utils/labels')
const { errorMessage, showError, fieldErrors } = require('../../utils/errors')
const { confirm, confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const NO_FORM = { form: null, errors: {}, saving: false }

const householdOption = (h) => ({ id: h.id, label: h.compound_name ? `${h.compound_name} ${h.label}` : h.label })

Page(
  loadable({
    data: Object.assign(
      {
        households: [],
        householdIndex: 0,
        noHousehold: false,
        record: null,
        showNotice: false,
        views: [],
        viewsLoaded: false,
        viewsError: '',
        viewsCursor: null,
        viewsMore: false,
        relations: optionsFor('relation'),
        ageBands: optionsFor('age_band'),
        busy: '',
      },
      NO_FORM
    ),

    onLoad(options = {}) {
      this.wanted = Number(options.household_id || 0)
      return this.load()
    },

    householdId() {
      const household = this.data.households[this.data.householdIndex]
      return household ? household.id : null
    },

    async fetch() {
      await ensureLogin()
      let households = this.data.households
      let householdIndex = this.data.householdIndex
      if (!households.length) {
        households = ((await getMe()).households || []).map(householdOption)
        if (!households.length) return { noHousehold: true, record: null }
        householdIndex = Math.max(0, households.findIndex((h) => h.id === this.wanted))
      }
      const census = await getCensus(households[householdIndex].id)
      return { noHousehold: false, households, householdIndex, record: censusView(census) }
    },

    // Who viewed it: a part of its own, the record still shows without it.
    onLoaded() {
      return this.data.record ? this.loadViews() : undefined
    },

    async loadViews() {
      try {
        const page = await myHouseholdViews(this.householdId())
        this.setData({ views: page.items.map(householdViewLine), viewsCursor: page.next_cursor || null, viewsLoaded: true, viewsError: '' })
      } catch (err) {
        this.setData({ views: [], viewsCursor: null, viewsLoaded: true, viewsError: errorMessage(err) })
      }
    },

    // 看更早的记录: the next page, added below; a failure is said and it can be tapped again.
    async moreViews() {
      const cursor = this.data.viewsCursor
      if (!cursor || this.data.viewsMore) return
      this.setData({ viewsMore: true })
      try {
        const page = await myHouseholdViews(this.householdId(), cursor)
        const views = this.data.views.concat(page.items.map((item, i) => householdViewLine(item, this.data.views.length + i)))
        this.setData({ views, viewsCursor: page.next_cursor || null, viewsMore: false })
      } catch (err) {
        this.setData({ viewsMore: false })
        showError(err)
      }
    },

    retryViews() {
      this.setData({ viewsError: '', viewsLoaded: false })
      return this.loadViews()
    },

    onHouseholdChange(e) {
      this.setData(Object.assign({ householdIndex: Number(e.detail.value), loaded: false, record: null, views: [], viewsCursor: null, viewsLoaded: false }, NO_FORM))
      return this.load()
    },

    goBind() {
      wx.navigateTo({ url: '/pages/bind/index' })
    },

    toggleNotice() {
      this.setData({ showNotice: !this.data.showNotice })
    },

    // 添加家人: the notice is open above the form; saving needs the tick.
    openAdd() {
      const form = { mode: 'add', memberId: null, name: '', relationIndex: -1, ageBandIndex: -1, phone: '', phoneHint: '', usesWechat: false, agreed: false }
      this.setData({ form, errors: {}, showNotice: true })
    },

    // 更正: the phone box starts empty; left empty, the number stays.
    openEdit(e) {
      const id = Number(e.currentTarget.dataset.id)
      const member = this.data.record.rawMembers.find((m) => m.id === id)
      if (!member) return
      const index = (options, value) => options.findIndex((o) => o.value === value)
      const form = {
        mode: 'edit',
        memberId: id,
        name: member.name || '',
        relationIndex: index(this.data.relations, member.relation),
        ageBandIndex: index(this.data.ageBands, member.age_band),
        phone: '',
        phoneHint: member.phone || member.phone_masked ? `现在是 ${member.phone || member.phone_masked}，不改就空着` : '',
        usesWechat: Boolean(member.uses_wechat),
        agreed: true,
      }
      this.setData({ form, errors: {} })
    },

    closeForm() {
      this.setData(NO_FORM)
    },

    setForm(patch, field) {
      const errors = Object.assign({}, this.data.errors)
      if (field) delete errors[field]
      this.setData({ form: Object.assign({}, this.data.form, patch), errors })
    },

    // Text boxes carry data-field="name|phone".
    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setForm({ [field]: e.detail.value }, field)
    },

    onRelation(e) {
      this.setForm({ relationIndex: Number(e.detail.value) }, 'relation')
    },

    onAgeBand(e) {
      this.setForm({ ageBandIndex: Number(e.detail.value) }, 'age_band')
    },

    onWechat(e) {
      this.setForm({ usesWechat: Boolean(e.detail.value) })
    },

    toggleAgreed() {
      this.setForm({ agreed: !this.data.form.agreed }, 'consent')
    },

    async saveMember() {
      const form = this.data.form
      if (!form || this.data.saving) return
      const editing = form.mode === 'edit'
      const checked = validateMember(Object.assign({ relations: this.data.relations, ageBands: this.data.ageBands }, form), { editing })
      if (!checked.body) {
        this.setData({ errors: checked.errors })
        return
      }
      this.setData({ saving: true, errors: {} })
      try {
        if (editing) await updateMember(this.householdId(), form.memberId, checked.body)
        else await addMember(this.householdId(), Object.assign({}, checked.body, { consent: true }))
      } catch (err) {
        this.setData({ saving: false })
        this.showFormError(err)
        return
      }
      this.setData(NO_FORM)
      wx.showToast({ title: editing ? '已更正' : '已添加', icon: 'success' })
      await this.refresh()
    },

    // The server's word next to its field where there is one.
    showFormError(err) {
      const fields = fieldErrors(err)
      if (err && err.code === 'consent_required') fields.consent = err.message
      if (err && err.code === 'bad_phone') fields.phone = err.message
      if (Object.keys(fields).length) this.setData({ errors: fields })
      else showError(err)
    },

    // 已搬走: no longer shown; anonymised later.
    async moveOut(e) {
      const id = Number(e.currentTarget.dataset.id)
      const member = this.data.record.members.find((m) => m.id === id)
      if (!member || this.data.busy) return
      const sure = await confirmOnce(this, '已经搬走了？', `${member.name} 不再住在这里了吗？确认后这个人不再显示，登记的信息过一段时间会自动抹去。`, {
        confirmText: '搬走了',
        cancelText: '没有',
      })
      if (!sure) return
      await this.act('moving', () => removeMember(this.householdId(), id), '已更新')
    },

    // 信息都对: the record confirmed now.
    async confirmRecord() {
      if (this.data.busy) return
      const sure = await confirmOnce(this, '信息都对吗？', '确认后，联络人就知道本户的登记是最新的，不用再上门核对。', {
        confirmText: '都对',
        cancelText: '再看看',
      })
      if (!sure) return
      this.setData({ busy: 'confirming' })
      try {
        const census = await confirmCensus(this.householdId())
        this.setData({ busy: '', record: censusView(census) })
        wx.showToast({ title: '已确认', icon: 'success' })
      } catch (err) {
        this.setData({ busy: '' })
        showError(err)
      }
    },

    async act(busy, call, done) {
      this.setData({ busy })
      try {
        await call()
      } catch (err) {
        this.setData({ busy: '' })
        showError(err)
        return
      }
      this.setData({ busy: '' })
      wx.showToast({ title: done, icon: 'success' })
      await this.refresh()
    },

    // The workbook needs the bearer header: downloaded, then opened in WeChat's
    // document viewer, which can keep it or send it on.
    async download() {
      if (this.data.busy) return
      this.setData({ busy: 'downloading' })
      try {
        const filePath = await myHouseholdDataFile(this.householdId())
        await new Promise((resolve, reject) =>
          wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: reject })
        )
      } catch (err) {
        showError(err && err.message ? err : { message: '本户信息打不开，请稍后再试' })
      } finally {
        this.setData({ busy: '' })
      }
    },

    // 删除本户登记信息: asked twice, the second time with what cannot be undone.
    async erase() {
      if (this.data.busy) return
      const first = await confirmOnce(
        this,
        '删除本户登记信息',
        '将删除本户登记的家人称呼、电话、年龄段和关爱标记，不再安排关爱走访。缴费、投票记录和查看记录会保留。',
        { confirmText: '继续', cancelText: '不删' }
      )
      if (!first) return
      const second = await confirm('再确认一次', '删除后不能恢复，单元联络人会收到通知。确定删除吗？', {
        confirmText: '删除',
        cancelText: '不删',
      })
      if (!second) return
      await this.act('erasing', () => eraseMyHouseholdData(this.householdId()), '已删除')
    },
  })
)
