import { createApp } from 'vue'
import App from './App.vue'
import element from './plugins/element.js'
import { api } from './api/http.js'
import { createSession } from './stores/session.js'
import { locale, setLocale } from './i18n/index.js'
import './styles.css'

const session = createSession({ api })
setLocale(locale.value) // sets <html lang>

createApp(App, { session, api }).use(element).mount('#app')
session.restore()
