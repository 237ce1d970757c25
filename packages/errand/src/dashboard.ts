/** The web dashboard (@errand/dashboard): `createDashboard({ errand: app, basePath: '/errand' })`. */
export * from '@errand/dashboard';
