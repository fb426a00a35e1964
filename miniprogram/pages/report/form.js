// The report form (我要报事) shared by two pages: the 报事 tab, where a
// resident reports for themself, and pages/report-for (代居民报事), where a
// liaison, building lead or the committee files for a neighbour without
// WeChat: a name and a room of a unit they handle instead of a place. The
// WXML of the form is form.wxml, included by both pages; sending it is
// submit.js.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { getConfig } = require('../../api/config')
const { unitHouseholds } = require('../../api/issues')
const { HANDLER_ROLES, optionsFor } = require('../../utils/labels')
const { placeOptions, structureCompounds, handledUnits } = require('../../utils/places')
const { addPhotos, confirmRemovePhoto, retryPhoto } = require('../../services/photos')
const { templateIds } = require('../../services/subscribe')
const { errorMessage } = require('../../utils/errors')
const { REPORT_EXPLAIN } = require('../../utils/words')
const { submitMethods } = require('./submit')

// Asked when reporting: how it goes, and the return visit afterwards.
const SUBSCRIBE_TEMPLATES = ['issue_status', 'return_visit']

function without(errors, field) {
  const rest = Object.assign({}, errors)
  delete rest[field]
  return rest
}

// A room of GET /units/{id}/households, for the room picker.
function roomOption(household) {
  const vacant = household.occupancy === 'vacant'
  return { id: household.id, label: vacant ? `${household.label}（空置）` : household.label }
}

// A rooms request worth repeating: the network or the server failed, not a refusal.
const retryable = (err) => !err || !err.status || err.status >= 500

// The structures of my compounds, to find the unit ids of my households (本单元)
// and of the buildings / compounds I handle; a compound that cannot be read
// just offers none of them.
async function structuresFor(user) {
  const structures = {}
  await Promise.all(
    structureCompounds(user).map((code) =>
      getCompound(code).then((s) => (structures[code] = s), () => null)
    )
  )
  return structures
}

// The definition of a report page, for utils/page.js loadable(): the 报事 tab
// (the resident's own report, forOthers false) or pages/report-for (filing
// for a neighbour, forOthers true).
function reportForm({ forOthers }) {
  return Object.assign({
    data: {
      explain: REPORT_EXPLAIN,
      categories: optionsFor('issue_category'),
      categoryIndex: -1,
      title: '',
      description: '',
      places: [],
      placeIndex: -1,
      photos: [],
      showName: false,
      canFileForOthers: false,
      // Fixed by the page: filing for a neighbour (name and room, no place).
      onBehalf: forOthers,
      onBehalfName: '',
      // On behalf: the units I handle ({id, label}), then the chosen unit's rooms.
      units: [],
      unitIndex: -1,
      rooms: [],
      roomIndex: -1,
      roomsLoading: false,
      roomsError: '',
      roomsRetry: false,
      tmplIds: [],
      errors: {},
      submitting: false,
    },

    onLoad() {
      return this.load()
    },

    // WeChat runs the 报事 tab's onLoad once: every later visit comes here only,
    // so a flat bound or a role given meanwhile must be read again here.
    // (pages/report-for is opened anew each time: its onLoad reads it.)
    onShow() {
      // Not the tab, or the first load is still coming (onLoad started it).
      if (forOthers || !this.data.loaded) return Promise.resolve()
      // Nothing typed to keep: start over.
      if (this.data.error || this.data.empty) return this.retry()
      return this.refresh()
    },

    async fetch() {
      await ensureLogin()
      const [user, config] = await Promise.all([getMe(), getConfig().catch(() => null)])
      const structures = await structuresFor(user)
      const places = placeOptions(user, structures)
      const canFileForOthers = (user.roles || []).some((r) => HANDLER_ROLES.includes(r.role))
      const units = canFileForOthers ? handledUnits(user, structures) : []
      return Object.assign(
        this.configPatch(config),
        { places, placeIndex: this.keptIndex(this.data.places, this.data.placeIndex, places, 'key') },
        { canFileForOthers, units },
        this.keptUnit(units)
      )
    },

    // Read again (shown again, pulled down): the place chosen stays chosen while
    // it is still offered; otherwise the first one.
    keptIndex(before, index, after, key) {
      const chosen = before[index]
      const at = chosen ? after.findIndex((o) => o[key] === chosen[key]) : -1
      if (at >= 0) return at
      return after.length && key === 'key' ? 0 : -1
    },

    // The unit chosen stays with its rooms while it is still offered; else none.
    keptUnit(units) {
      const unitIndex = this.keptIndex(this.data.units, this.data.unitIndex, units, 'id')
      if (unitIndex >= 0 && unitIndex === this.data.unitIndex) return {}
      if (unitIndex >= 0) return { unitIndex }
      return { unitIndex: -1, rooms: [], roomIndex: -1 }
    },

    onLoaded() {
      return this.data.onBehalf ? this.pickOnlyUnit() : undefined
    },

    // The tab: not bound to a flat and not a volunteer, nothing to report about
    // yet. For a neighbour: only a volunteer can.
    isEmpty(data) {
      if (forOthers) return !data.canFileForOthers
      return !data.places.length && !data.canFileForOthers
    },

    // Without the config the fixed categories stay and no subscription is asked.
    configPatch(config) {
      if (!config) return {}
      // getConfig() has handed its labels to utils/labels: the server's words, our order.
      return {
        categories: optionsFor('issue_category'),
        tmplIds: templateIds(config, SUBSCRIBE_TEMPLATES),
      }
    },

    // Text inputs carry data-field="title|description|onBehalfName";
    // data-error names the error they clear when it differs from the field.
    onInput(e) {
      const { field, error } = e.currentTarget.dataset
      this.setData({ [field]: e.detail.value, errors: without(this.data.errors, error || field) })
    },

    onCategoryChange(e) {
      this.setData({ categoryIndex: Number(e.detail.value), errors: without(this.data.errors, 'category') })
    },

    onPlaceChange(e) {
      this.setData({ placeIndex: Number(e.detail.value), errors: without(this.data.errors, 'location') })
    },

    onShowNameChange(e) {
      this.setData({ showName: Boolean(e.detail.value) })
    },

    // The tab's 代居民报事 entry: its own page above the tab, 返回 comes back.
    goFileForOthers() {
      wx.navigateTo({ url: '/pages/report-for/index' })
    },

    // Most liaisons look after one unit: choose it for them.
    pickOnlyUnit() {
      const d = this.data
      return d.units.length === 1 && d.unitIndex < 0 ? this.selectUnit(0) : Promise.resolve()
    },

    onUnitChange(e) {
      return this.selectUnit(Number(e.detail.value))
    },

    selectUnit(index) {
      this.setData({
        unitIndex: index,
        rooms: [],
        roomIndex: -1,
        errors: without(this.data.errors, 'household_id'),
      })
      return this.loadRooms()
    },

    // The chosen unit's rooms; an answer for a unit no longer chosen is dropped.
    async loadRooms() {
      const unit = this.data.units[this.data.unitIndex]
      if (!unit) return
      const current = () => {
        const chosen = this.data.units[this.data.unitIndex]
        return chosen && chosen.id === unit.id
      }
      this.setData({ roomsLoading: true, roomsError: '', roomsRetry: false })
      try {
        const { items } = await unitHouseholds(unit.id)
        if (current()) this.setData({ rooms: (items || []).map(roomOption), roomsLoading: false })
      } catch (err) {
        if (current()) {
          this.setData({ roomsLoading: false, roomsError: errorMessage(err), roomsRetry: retryable(err) })
        }
      }
    },

    retryRooms() {
      return this.loadRooms()
    },

    onRoomChange(e) {
      this.setData({ roomIndex: Number(e.detail.value), errors: without(this.data.errors, 'household_id') })
    },

    choosePhotos() {
      return addPhotos(this, 'photos')
    },

    // Asked first: a photo taken on the spot cannot be taken again later.
    removePhoto(e) {
      const key = e.currentTarget.dataset.key
      return confirmRemovePhoto(this, 'photos', key, '删除这张照片？', '报事')
    },

    previewPhoto(e) {
      const current = this.data.photos.find((p) => p.key === e.currentTarget.dataset.key)
      if (current) wx.previewImage({ urls: this.data.photos.map((p) => p.path), current: current.path })
    },

    retryPhoto(e) {
      return retryPhoto(this, 'photos', e.currentTarget.dataset.key)
    },

    goBind() {
      wx.navigateTo({ url: '/pages/bind/index' })
    },
  }, submitMethods({ forOthers }))
}

module.exports = { reportForm }
