// Report an issue (我要报事); a liaison can also file one for a neighbour
// without WeChat (代居民报事): /pages/report/index?on_behalf=1.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { getConfig } = require('../../api/config')
const { createIssue } = require('../../api/issues')
const { ISSUE_CATEGORY_LABELS, HANDLER_ROLES, optionsOf } = require('../../utils/labels')
const { placeOptions, householdCompounds } = require('../../utils/places')
const { validateIssue, cleanMultiline } = require('../../utils/validate')
const { addPhotos, removePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../utils/photos')
const { subscribe, templateIds } = require('../../utils/subscribe')
const { errorMessage, showError, fieldErrors } = require('../../utils/errors')

// Asked when reporting: how it goes, and the return visit afterwards.
const SUBSCRIBE_TEMPLATES = ['issue_status', 'return_visit']
// Server fields about the place are shown under the place picker.
const PLACE_FIELDS = ['unit_id', 'building_id', 'compound']

function without(errors, field) {
  const rest = Object.assign({}, errors)
  delete rest[field]
  return rest
}

// The structures of my households' compounds, to find their unit ids; a
// compound that cannot be read just offers no 本单元.
async function structuresFor(user) {
  const structures = {}
  await Promise.all(
    householdCompounds(user).map((code) =>
      getCompound(code).then((s) => (structures[code] = s), () => null)
    )
  )
  return structures
}

Page({
  data: {
    loaded: false,
    error: '',
    categories: optionsOf(ISSUE_CATEGORY_LABELS),
    categoryIndex: -1,
    title: '',
    description: '',
    places: [],
    placeIndex: -1,
    photos: [],
    showName: false,
    canFileForOthers: false,
    onBehalf: false,
    onBehalfName: '',
    householdId: '',
    tmplIds: [],
    errors: {},
    submitting: false,
  },

  onLoad(options = {}) {
    this.wantsOnBehalf = options.on_behalf === '1'
    return this.init()
  },

  async init() {
    try {
      await ensureLogin()
      const [user, config] = await Promise.all([getMe(), getConfig().catch(() => null)])
      this.applyConfig(config)
      const places = placeOptions(user, await structuresFor(user))
      const canFileForOthers = (user.roles || []).some((r) => HANDLER_ROLES.includes(r.role))
      this.setData({
        loaded: true,
        error: '',
        places,
        placeIndex: places.length ? 0 : -1,
        canFileForOthers,
        onBehalf: canFileForOthers && this.wantsOnBehalf,
      })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err) })
    }
  },

  // Without the config the fixed categories stay and no subscription is asked.
  applyConfig(config) {
    if (!config) return
    const labels = config.categories || {}
    this.setData({
      categories: Object.keys(labels).length ? optionsOf(labels) : this.data.categories,
      tmplIds: templateIds(config, SUBSCRIBE_TEMPLATES),
    })
  },

  // Text inputs carry data-field="title|description|onBehalfName|householdId";
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

  onOnBehalfChange(e) {
    this.setData({ onBehalf: Boolean(e.detail.value), errors: {} })
  },

  choosePhotos() {
    return addPhotos(this, 'photos')
  },

  removePhoto(e) {
    removePhoto(this, 'photos', e.currentTarget.dataset.key)
  },

  previewPhoto(e) {
    const current = this.data.photos.find((p) => p.key === e.currentTarget.dataset.key)
    if (current) wx.previewImage({ urls: this.data.photos.map((p) => p.path), current: current.path })
  },

  retryPhoto(e) {
    return retryPhoto(this, 'photos', e.currentTarget.dataset.key)
  },

  form() {
    const d = this.data
    const category = d.categories[d.categoryIndex]
    const place = d.places[d.placeIndex]
    return {
      category: category ? category.value : '',
      title: d.title.trim(),
      description: cleanMultiline(d.description),
      location: place ? place.body : null,
      onBehalf: d.onBehalf,
      onBehalfName: d.onBehalfName.trim(),
      householdId: d.householdId.trim(),
    }
  },

  body(form) {
    const body = {
      category: form.category,
      title: form.title,
      description: form.description,
      photos: uploadedIds(this.data.photos),
      show_name: this.data.showName,
    }
    if (!form.onBehalf) return Object.assign(body, form.location)
    return Object.assign(body, {
      household_id: Number(form.householdId),
      on_behalf_name: form.onBehalfName,
    })
  },

  // The tap on 提交. Everything before subscribe() is synchronous: WeChat only
  // shows the subscription dialog when it is asked straight from a tap.
  submit() {
    if (this.data.submitting) return Promise.resolve()
    const form = this.form()
    const errors = validateIssue(form)
    const photos = photoProblem(this.data.photos)
    if (photos) errors.photos = photos
    if (Object.keys(errors).length) {
      this.setData({ errors })
      return Promise.resolve()
    }
    this.setData({ submitting: true, errors: {} })
    return subscribe(this.data.tmplIds).then(() => this.send(this.body(form)))
  },

  async send(body) {
    try {
      const issue = await createIssue(body)
      wx.showToast({ title: '已提交', icon: 'success' })
      // Replace the form, so 返回 from the issue does not reopen a sent form.
      wx.redirectTo({ url: `/pages/issue/index?id=${issue.id}` })
    } catch (err) {
      const fields = this.placeErrors(fieldErrors(err))
      if (Object.keys(fields).length) this.setData({ errors: fields })
      else showError(err)
    } finally {
      this.setData({ submitting: false })
    }
  },

  placeErrors(fields) {
    const errors = {}
    for (const name of Object.keys(fields)) {
      const onPicker = PLACE_FIELDS.includes(name) || (name === 'household_id' && !this.data.onBehalf)
      errors[onPicker ? 'location' : name] = fields[name]
    }
    return errors
  },
})
