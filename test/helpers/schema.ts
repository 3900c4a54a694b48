export { schemaErrors } from '../../shared/snapshot/validate';
