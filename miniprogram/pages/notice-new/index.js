// 发布公告 (the committee): title, text, the urgent switch (pushed to every
// household), whom it is for (the whole compound, a building, a unit), photos
// and the day it stays pinned until. Asked once more before it goes out.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { publishAnnouncement } = require('../../api/board')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../services/photos')
const { roleCompounds } = require('../../utils/user')
const { todayInShanghai } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const COMMITTEE_ONLY = '只有业委会成员可以发布公告。'
const AUDIENCES = [
  { key: 'compound', label: '全小区' },
  { key: 'building', label: '一栋楼' },
  { key: 'unit', label: '一个单元' },
]
const URGENT_WARNING = '紧急通知会推送给每一户，只用于停水、停气、安全等急事。'

// A year from today (Shanghai), the latest day a notice can stay pinned.
function yearAhead(today) {
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 365)
  return d.toISOString().slice(0, 10)
}

// What the form may send: {errors} or {body}.
function validate(data) {
  const errors = {}
  const title = data.title.trim()
  const body = data.body.trim()
  if (!title) errors.title = '请填写标题'
  else if (title.length > 100) errors.title = '标题最多 100 个字'
  if (!body) errors.body = '请填写公告内容'
  else if (body.length > 5000) errors.body = '内容最多 5000 个字'
  const audience = AUDIENCES[data.audienceIndex].key
  let building = null
  let unit = null
  if (audience === 'building') {
    const picked = data.buildings[data.buildingIndex]
    if (!picked) errors.building = '请选择哪一栋楼'
    else building = picked.number
  }
  if (audience === 'unit') {
    const picked = data.units[data.unitIndex]
    if (!picked) errors.unit = '请选择哪个单元'
    else unit = picked.key
  }
  const problem = photoProblem(data.photos)
  if (problem) errors.photos = problem
  if (Object.keys(errors).length) return { errors }
  return {
    body: {
      title,
      body,
      urgent: data.urgent,
      audience,
      building,
      unit,
      photos: uploadedIds(data.photos),
      pinnedUntil: data.pinnedUntil || null,
    },
  }
}

Page(
  loadable({
    data: {
      denied: '',
      compounds: [],
      compoundIndex: 0,
      title: '',
      body: '',
      urgent: false,
      urgentWarning: URGENT_WARNING,
      audiences: AUDIENCES,
      audienceIndex: 0,
      buildings: [],
      buildingIndex: 0,
      units: [],
      unitIndex: 0,
      photos: [],
      pinnedUntil: '',
      today: '',
      lastDay: '',
      errors: {},
      sending: false,
    },

    onLoad() {
      const today = todayInShanghai()
      this.setData({ today, lastDay: yearAhead(today) })
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = roleCompounds(await getMe(), ['committee'])
        if (!compounds.length) return { denied: COMMITTEE_ONLY }
      }
      const structure = await getCompound(compounds[this.data.compoundIndex].code)
      const buildings = (structure.buildings || []).map((b) => ({ number: b.number, label: `${b.number}号楼` }))
      const units = []
      for (const b of structure.buildings || []) {
        for (const u of b.units || []) units.push({ key: `${b.number}-${u.number}`, label: `${b.number}号楼${u.number}单元` })
      }
      return { denied: '', compounds, buildings, units, buildingIndex: 0, unitIndex: 0 }
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false })
      return this.load()
    },

    onTitle(e) {
      this.setData({ title: e.detail.value, errors: Object.assign({}, this.data.errors, { title: '' }) })
    },

    onBody(e) {
      this.setData({ body: e.detail.value, errors: Object.assign({}, this.data.errors, { body: '' }) })
    },

    onUrgent(e) {
      this.setData({ urgent: Boolean(e.detail.value) })
    },

    onAudience(e) {
      this.setData({ audienceIndex: Number(e.detail.value) })
    },

    onBuilding(e) {
      this.setData({ buildingIndex: Number(e.detail.value) })
    },

    onUnit(e) {
      this.setData({ unitIndex: Number(e.detail.value) })
    },

    onPinned(e) {
      this.setData({ pinnedUntil: e.detail.value })
    },

    clearPinned() {
      this.setData({ pinnedUntil: '' })
    },

    choosePhotos() {
      return addPhotos(this, 'photos')
    },

    removePhoto(e) {
      return confirmRemovePhoto(this, 'photos', e.currentTarget.dataset.key, '删除这张照片？', '公告')
    },

    retryPhoto(e) {
      return retryPhoto(this, 'photos', e.currentTarget.dataset.key)
    },

    previewPhoto(e) {
      const current = this.data.photos.find((p) => p.key === e.currentTarget.dataset.key)
      if (current) wx.previewImage({ urls: this.data.photos.map((p) => p.path), current: current.path })
    },

    async submit() {
      if (this.data.sending) return
      const { errors, body } = validate(this.data)
      if (!body) {
        this.setData({ errors })
        return
      }
      const audience = body.audience === 'compound' ? '全小区' : body.audience === 'building' ? `${body.building}号楼` : this.data.units[this.data.unitIndex].label
      const sure = await confirmOnce(
        this,
        body.urgent ? '发布紧急通知' : '发布公告',
        body.urgent
          ? `将推送给${audience}的每一户，发布后不能修改，只能撤回。`
          : `将发给${audience}的住户，发布后不能修改，只能撤回。`,
        { confirmText: '发布', cancelText: '再看看' }
      )
      if (!sure) return
      this.setData({ sending: true, errors: {} })
      let notice
      try {
        notice = await publishAnnouncement(this.data.compounds[this.data.compoundIndex].code, body)
      } catch (err) {
        this.setData({ sending: false })
        const fields = fieldErrors(err)
        if (Object.keys(fields).length) {
          this.setData({ errors: fields })
          return
        }
        await showModal({ title: '未能发布', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        return
      }
      this.setData({ sending: false })
      wx.showToast({ title: '已发布', icon: 'success' })
      wx.redirectTo({ url: `/pages/notice/index?id=${notice.id}` })
    },
  })
)
